/** `berth compose pause` and `unpause`: freeze or thaw the services' containers. */
import { pause } from '../../../compose/ops.js';
import { openProject } from './options.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

function pauseCommandFor(resume: boolean): ComposeSubcommand {
  return {
    name: resume ? 'unpause' : 'pause',
    usage: '[SERVICE...]',
    short: resume ? 'Unpause services' : 'Pause services',
    flags: [],
    async run(ctx, parsed, options) {
      const project = openProject(ctx, options, { services: parsed.args });
      await pause(await ctx.client(), project, progressFor(ctx), parsed.args, resume);
      return 0;
    },
  };
}

export const pauseCommand = pauseCommandFor(false);
export const unpauseCommand = pauseCommandFor(true);
