/** `berth compose logs`: the project's container output with compose v2's prefixes and colours. */
import { LogPrinter } from '../../../compose/log-printer.js';
import { showLogs } from '../../../compose/logs.js';
import { apiTimestamp } from '../container/timestamps.js';
import { projectOrName } from './project-or-name.js';
import type { ComposeSubcommand } from './subcommand.js';

export const logsCommand: ComposeSubcommand = {
  name: 'logs',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'View output from containers',
  flags: [
    { long: 'follow', short: 'f', type: 'bool', usage: 'Follow log output.' },
    { long: 'no-color', type: 'bool', usage: 'Produce monochrome output.' },
    { long: 'no-log-prefix', type: 'bool', usage: 'Don\'t print prefix in logs.' },
    { long: 'since', type: 'string', usage: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
    { long: 'tail', short: 'n', type: 'string', default: 'all', usage: 'Number of lines to show from the end of the logs for each container.' },
    { long: 'timestamps', short: 't', type: 'bool', usage: 'Show timestamps.' },
    { long: 'until', type: 'string', usage: 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
  ],
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    // As compose v2: with -p NAME and no file, the project comes from its containers' labels.
    const project = await projectOrName(ctx, options, parsed.args);
    const client = await ctx.client();
    // The engine puts the timestamp in front of each line itself.
    const printer = new LogPrinter((text) => ctx.stdout.write(text), { color: Boolean(ctx.stdout.isTTY) && !flags['no-color'], prefix: !flags['no-log-prefix'] });
    await showLogs(client, project, printer, parsed.args, {
      follow: Boolean(flags.follow),
      tail: flags.tail as string,
      since: apiTimestamp((flags.since as string | undefined) ?? ''),
      until: apiTimestamp((flags.until as string | undefined) ?? ''),
      timestamps: Boolean(flags.timestamps),
    });
    return 0;
  },
};
