/** `berth compose ls`: the projects on the engine (NAME STATUS CONFIG FILES), from container labels alone. */
import { StatusError, write } from '../../command.js';
import { listProjects } from '../../../compose/ls.js';
import { checkFormat, composeTable } from './table.js';
import type { ComposeSubcommand } from './subcommand.js';

export const lsCommand: ComposeSubcommand = {
  name: 'ls',
  usage: '[OPTIONS]',
  short: 'List running compose projects',
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Show all stopped Compose projects' },
    { long: 'filter', type: 'stringArray', usage: 'Filter output based on conditions provided.' },
    { long: 'format', type: 'string', default: 'table', usage: 'Format the output. Values: [table | json].' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display IDs.' },
  ],
  // ls needs no compose file: the options (-f, -p) are not used.
  async run(ctx, parsed) {
    if (parsed.args.length > 0) throw new StatusError(`"compose ls" accepts no arguments`, 1);
    const format = checkFormat(parsed.flags.format as string);
    const match = nameFilter(parsed.flags.filter as string[]);
    const stacks = (await listProjects(await ctx.client(), Boolean(parsed.flags.all))).filter((s) => match(s.Name));
    if (parsed.flags.quiet) await write(ctx.stdout, stacks.map((s) => `${s.Name}\n`).join(''));
    else if (format === 'json') await write(ctx.stdout, `${JSON.stringify(stacks)}\n`);
    else await write(ctx.stdout, composeTable(['NAME', 'STATUS', 'CONFIG FILES'], stacks.map((s) => [s.Name, s.Status, s.ConfigFiles])));
    return 0;
  },
};

/**
 * `--filter name=…`, the only filter compose ls accepts: docker's
 * filters.Match, a regular expression searched in the name (any of several).
 */
function nameFilter(given: string[]): (name: string) => boolean {
  const patterns: RegExp[] = [];
  for (const f of given) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new StatusError(`bad format of filter (expected name=value)`, 1);
    const key = f.slice(0, eq).trim().toLowerCase();
    if (key !== 'name') throw new StatusError(`invalid filter '${key}'`, 1);
    patterns.push(new RegExp(f.slice(eq + 1)));
  }
  return (name) => patterns.length === 0 || patterns.some((p) => p.test(name));
}
