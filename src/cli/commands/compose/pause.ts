/** `berth compose pause` and `unpause`: freeze or thaw the services' containers. */
import { pause } from '../../../compose/ops.js';
import { projectOrName } from './project-or-name.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

function pauseCommandFor(resume: boolean): ComposeSubcommand {
  return {
    name: resume ? 'unpause' : 'pause',
    usage: '[SERVICE...]',
    short: resume ? 'Unpause services' : 'Pause services',
    flags: [],
    async run(ctx, parsed, options) {
      const project = await projectOrName(ctx, options, parsed.args);
      await pause(await ctx.client(), project, progressFor(ctx), parsed.args, resume);
      return 0;
    },
  };
}

export const pauseCommand = pauseCommandFor(false);
export const unpauseCommand = pauseCommandFor(true);
