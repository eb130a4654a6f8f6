/** `berth compose up`: create and start the project's containers (detached only, for now). */
import { StatusError } from '../../command.js';
import { up } from '../../../compose/up.js';
import { openProject } from './options.js';
import { progressFor, timeoutFlag, warner } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const upCommand: ComposeSubcommand = {
  name: 'up',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Create and start containers',
  flags: [
    { long: 'detach', short: 'd', type: 'bool', usage: 'Detached mode: Run containers in the background' },
    { long: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file.' },
    { long: 'timeout', short: 't', type: 'int', usage: 'Use this timeout in seconds for container shutdown when attached or when containers are already running.' },
  ],
  async run(ctx, parsed, options) {
    if (!parsed.flags.detach) throw new StatusError('berth compose up: only detached mode (-d) is implemented yet', 1);
    const services = parsed.args.length ? parsed.args : undefined;
    const project = openProject(ctx, options, { services });
    const client = await ctx.client();
    await up(client, project, progressFor(ctx), {
      removeOrphans: Boolean(parsed.flags['remove-orphans']),
      services,
      timeout: timeoutFlag(parsed.flags, parsed.changed),
      warn: warner(ctx),
    });
    return 0;
  },
};
