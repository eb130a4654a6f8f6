/** `berth compose kill`: send a signal (SIGKILL by default) to the services' running containers. */
import { kill } from '../../../compose/ops.js';
import { projectOrName } from './project-or-name.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const killCommand: ComposeSubcommand = {
  name: 'kill',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Force stop service containers',
  flags: [
    { long: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file.' },
    { long: 'signal', short: 's', type: 'string', default: 'SIGKILL', usage: 'SIGNAL to send to the container' },
  ],
  async run(ctx, parsed, options) {
    const project = await projectOrName(ctx, options, parsed.args);
    await kill(await ctx.client(), project, progressFor(ctx), parsed.args, {
      signal: parsed.flags.signal as string,
      removeOrphans: Boolean(parsed.flags['remove-orphans']),
      // compose v2 writes this without a newline; berth ends the line.
      warn: (message) => ctx.stderr.write(`${message}\n`),
    });
    return 0;
  },
};
