/**
 * `berth compose ps`: the project's containers in compose v2's table
 * (NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS), as IDs (-q), as
 * service names (--services), as JSON (one object a line) or through a Go
 * template (`--format '{{.Name}} {{.Health}}'`, `table …`) with compose's
 * fields (ps-rows.ts); --status and --filter status=… narrow by state (and
 * then include stopped ones).
 */
import { StatusError, write, type CommandContext } from '../../command.js';
import { renderRows } from '../../format/formatter.js';
import { FORMAT_HELP_TABLE } from '../common.js';
import { nameOf, projectContainers, serviceOf } from '../../../compose/containers.js';
import { checkServices } from '../../../compose/graph.js';
import { projectOrName } from './project-or-name.js';
import { COMPOSE_PS_HEADERS, composePsFormat, composePsRow } from './ps-rows.js';
import type { ComposeSubcommand } from './subcommand.js';

const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

export const psCommand: ComposeSubcommand = {
  name: 'ps',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'List containers',
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Show all stopped containers (including those created by the run command)' },
    { long: 'filter', type: 'string', usage: 'Filter services by a property (supported filters: status).' },
    { long: 'format', type: 'string', default: 'table', usage: `${FORMAT_HELP_TABLE}\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates` },
    { long: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display IDs' },
    { long: 'services', type: 'bool', usage: 'Display services' },
    { long: 'status', type: 'stringArray', usage: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]' },
  ],
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    const format = composePsFormat(flags.format as string);
    const statuses = wantedStatuses(flags.status as string[], flags.filter as string | undefined);
    const project = await projectOrName(ctx, options);
    checkServices(project.model.services, parsed.args);
    const client = await ctx.client();
    const wanted = parsed.args;
    const containers = (await projectContainers(client, project.name, Boolean(flags.all) || statuses.length > 0))
      .filter((c) => wanted.length === 0 || wanted.includes(serviceOf(c)))
      .filter((c) => statuses.length === 0 || statuses.includes(c.State))
      .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    if (flags.quiet) return print(ctx, containers.map((c) => c.Id));
    if (flags.services) return print(ctx, [...new Set(containers.map(serviceOf))]);
    const rows = containers.map((c) => composePsRow(c, { trunc: !flags['no-trunc'] }));
    await write(ctx.stdout, renderRows(format, rows, COMPOSE_PS_HEADERS));
    return 0;
  },
};

/** --status values and `--filter status=…` together; anything else is refused as compose refuses it. */
function wantedStatuses(status: string[], filter: string | undefined): string[] {
  const out = [...status];
  if (filter) {
    const [key, value] = filter.split('=', 2);
    if (key !== 'status' || value === undefined) throw new StatusError(`unknown filter ${key}`, 1);
    out.push(value);
  }
  for (const s of out) if (!STATES.includes(s)) throw new StatusError(`invalid status: ${s}`, 1);
  return out;
}

async function print(ctx: CommandContext, lines: string[]): Promise<number> {
  await write(ctx.stdout, lines.map((l) => `${l}\n`).join(''));
  return 0;
}
