/** `berth compose stop`: stop the project's running containers, dependents first. */
import { stop } from '../../../compose/ops.js';
import { projectOrName } from './project-or-name.js';
import { progressFor, timeoutFlag } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const stopCommand: ComposeSubcommand = {
  name: 'stop',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Stop services',
  flags: [{ long: 'timeout', short: 't', type: 'int', usage: 'Specify a shutdown timeout in seconds' }],
  async run(ctx, parsed, options) {
    const project = await projectOrName(ctx, options, parsed.args);
    await stop(await ctx.client(), project, progressFor(ctx), parsed.args, timeoutFlag(parsed.flags, parsed.changed));
    return 0;
  },
};
