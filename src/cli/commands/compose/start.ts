/** `berth compose start`: start the project's existing containers, dependencies first. */
import { start } from '../../../compose/ops.js';
import { openProject } from './options.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const startCommand: ComposeSubcommand = {
  name: 'start',
  usage: '[SERVICE...]',
  short: 'Start services',
  flags: [],
  async run(ctx, parsed, options) {
    const project = openProject(ctx, options, { services: parsed.args });
    await start(await ctx.client(), project, progressFor(ctx), parsed.args);
    return 0;
  },
};
