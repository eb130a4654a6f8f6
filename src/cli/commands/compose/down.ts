/** `berth compose down`: stop and remove the project's containers and networks (and volumes with -v). */
import { StatusError } from '../../command.js';
import { down } from '../../../compose/down.js';
import { projectOrName } from './project-or-name.js';
import { progressFor, timeoutFlag, warner } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const downCommand: ComposeSubcommand = {
  name: 'down',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Stop and remove containers, networks',
  flags: [
    { long: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file.' },
    { long: 'rmi', type: 'string', usage: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")' },
    { long: 'timeout', short: 't', type: 'int', usage: 'Specify a shutdown timeout in seconds' },
    { long: 'volumes', short: 'v', type: 'bool', usage: 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers.' },
  ],
  async run(ctx, parsed, options) {
    const rmi = (parsed.flags.rmi as string | undefined) || undefined;
    if (rmi !== undefined && rmi !== 'all' && rmi !== 'local') throw new StatusError(`invalid value for --rmi: ${JSON.stringify(rmi)}`, 1);
    // As compose v2: with -p NAME and no file, the project comes from its containers' labels.
    const project = await projectOrName(ctx, options);
    const client = await ctx.client();
    await down(client, project, progressFor(ctx), {
      volumes: Boolean(parsed.flags.volumes),
      removeOrphans: Boolean(parsed.flags['remove-orphans']),
      rmi,
      timeout: timeoutFlag(parsed.flags, parsed.changed),
      services: parsed.args,
      warn: warner(ctx),
    });
    return 0;
  },
};
