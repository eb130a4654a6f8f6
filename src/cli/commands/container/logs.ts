/** `berth logs`: raw for a tty container, demultiplexed (stdout and stderr apart) otherwise. */
import { demultiplex } from '../../../client/stdcopy.js';
import type { CommandSpec } from '../../command.js';
import { apiTimestamp } from './timestamps.js';

export const logsCommand: CommandSpec = {
  path: 'container logs',
  aliases: ['container logs', 'logs'],
  usage: '[OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  args: { kind: 'exact', count: 1 },
  flags: [
    { long: 'details', type: 'bool', usage: 'Show extra details provided to logs' },
    { long: 'follow', short: 'f', type: 'bool', usage: 'Follow log output' },
    { long: 'since', type: 'string', usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)', valueName: 'string' },
    { long: 'tail', short: 'n', type: 'string', usage: 'Number of lines to show from the end of the logs', valueName: 'string', default: 'all' },
    { long: 'timestamps', short: 't', type: 'bool', usage: 'Show timestamps' },
    { long: 'until', type: 'string', usage: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)', valueName: 'string' },
  ],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const { value: container } = await client.inspectContainer(args[0]);
    const body = await client.containerLogs(container.Id, {
      follow: flags.follow as boolean, tail: flags.tail as string, since: apiTimestamp(flags.since as string), until: apiTimestamp(flags.until as string),
      timestamps: flags.timestamps as boolean, details: flags.details as boolean,
    });
    if (container.Config.Tty) {
      for await (const chunk of body) ctx.stdout.write(chunk as Buffer);
    } else {
      await demultiplex(body, ctx.stdout, ctx.stderr);
    }
    return 0;
  },
};
