/** `berth network ls`. */
import { filtersFromFlags } from '../../../client/filters.js';
import { listNetworks, type NetworkResource } from '../../../client/networks.js';
import { write, type CommandSpec } from '../../command.js';
import { renderRows, TABLE_KEY } from '../../format/formatter.js';
import { filterFlag, formatFlag } from '../common.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const HEADERS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' };

/** One row as docker's networkContext exposes it to templates. */
function row(n: NetworkResource, trunc: boolean) {
  return {
    ID: trunc ? n.Id.slice(0, 12) : n.Id,
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    CreatedAt: n.Created,
    Label: (name: string) => n.Labels?.[name] ?? '',
  };
}

export const networkLsCommand: CommandSpec = {
  path: 'network ls',
  aliases: ['network ls', 'network list'],
  usage: '[OPTIONS]',
  short: 'List networks',
  args: { kind: 'exact', count: 0 },
  flags: [
    filterFlag("Provide filter values (e.g. 'driver=bridge')"),
    formatFlag(),
    { long: 'no-trunc', type: 'bool', usage: 'Do not truncate the output' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display network IDs' },
  ],
  async run(ctx, { flags }) {
    const client = await ctx.client();
    const networks = await listNetworks(client.api, filtersFromFlags(flags.filter as string[]));
    networks.sort((a, b) => a.Name.localeCompare(b.Name));
    const source = (flags.format as string) || TABLE_KEY;
    const format = flags.quiet ? '{{.ID}}' : source === TABLE_KEY ? DEFAULT_TABLE : source;
    await write(ctx.stdout, renderRows(format, networks.map((n) => row(n, !flags['no-trunc'])), HEADERS));
    return 0;
  },
};
