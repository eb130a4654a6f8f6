/**
 * `berth compose ps`: the project's containers in compose v2's table
 * (NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS), as IDs (-q), as
 * service names (--services) or as JSON, one object a line; --status and
 * --filter status=… narrow by state (and then include stopped ones).
 */
import { StatusError, write, type CommandContext } from '../../command.js';
import { tabwrite } from '../../format/table.js';
import { sinceUnix } from '../../format/units.js';
import type { ContainerSummary } from '../../../client/index.js';
import { nameOf, projectContainers, serviceOf } from '../../../compose/containers.js';
import { LABEL } from '../../../compose/labels.js';
import { checkServices } from '../../../compose/graph.js';
import { commandCell, containerRow, portsCell } from '../container/ps-rows.js';
import { projectOrName } from './project-or-name.js';
import { checkFormat } from './table.js';
import type { ComposeSubcommand } from './subcommand.js';

const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

export const psCommand: ComposeSubcommand = {
  name: 'ps',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'List containers',
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Show all stopped containers (including those created by the run command)' },
    { long: 'filter', type: 'string', usage: 'Filter services by a property (supported filters: status).' },
    { long: 'format', type: 'string', default: 'table', usage: 'Format the output. Values: [table | json]' },
    { long: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display IDs' },
    { long: 'services', type: 'bool', usage: 'Display services' },
    { long: 'status', type: 'stringArray', usage: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]' },
  ],
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    const format = checkFormat(flags.format as string);
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
    if (format === 'json') return print(ctx, containers.map((c) => JSON.stringify(jsonRow(c, !flags['no-trunc']))));
    const rows = containers.map((c) => [nameOf(c), c.Image, commandCell(c.Command, !flags['no-trunc']), serviceOf(c), sinceUnix(c.Created), c.Status, portsCell(c.Ports)]);
    const lines = [['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], ...rows].map((r) => `${r.join('\t')}\n`);
    await write(ctx.stdout, tabwrite(lines.join('')));
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

/** docker's container row plus what compose adds (Name, Project, Service, Health, ExitCode, Publishers), keys sorted. */
function jsonRow(c: ContainerSummary, trunc: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = {
    ...containerRow(c, { trunc }),
    Name: nameOf(c),
    Project: c.Labels?.[LABEL.project] ?? '',
    Service: serviceOf(c),
    Health: /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1]?.replace('health: ', '') ?? '',
    ExitCode: Number(/^Exited \((-?\d+)\)/.exec(c.Status)?.[1] ?? 0),
    Publishers: (c.Ports ?? []).map((p) => ({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type })),
  };
  return Object.fromEntries(Object.keys(row).sort().map((k) => [k, row[k]]));
}

async function print(ctx: CommandContext, lines: string[]): Promise<number> {
  await write(ctx.stdout, lines.map((l) => `${l}\n`).join(''));
  return 0;
}
