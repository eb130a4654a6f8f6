/** `berth compose start`: start the project's existing containers, dependencies first. */
import { start } from '../../../compose/ops.js';
import { projectOrName } from './project-or-name.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const startCommand: ComposeSubcommand = {
  name: 'start',
  usage: '[SERVICE...]',
  short: 'Start services',
  flags: [],
  async run(ctx, parsed, options) {
    const project = await projectOrName(ctx, options, parsed.args);
    await start(await ctx.client(), project, progressFor(ctx), parsed.args);
    return 0;
  },
};
