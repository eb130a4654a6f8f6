/** `berth compose restart`: restart the services' containers, dependencies first. */
import { restart } from '../../../compose/ops.js';
import { projectOrName } from './project-or-name.js';
import { progressFor, timeoutFlag } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const restartCommand: ComposeSubcommand = {
  name: 'restart',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Restart service containers',
  flags: [
    { long: 'no-deps', type: 'bool', usage: "Don't restart dependent services." },
    { long: 'timeout', short: 't', type: 'int', usage: 'Specify a shutdown timeout in seconds' },
  ],
  async run(ctx, parsed, options) {
    const project = await projectOrName(ctx, options, parsed.args);
    await restart(await ctx.client(), project, progressFor(ctx), parsed.args, {
      timeout: timeoutFlag(parsed.flags, parsed.changed),
      noDeps: Boolean(parsed.flags['no-deps']),
    });
    return 0;
  },
};
