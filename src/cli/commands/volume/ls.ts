/** `berth volume ls`. */
import { filtersFromFlags } from '../../../client/filters.js';
import { listVolumes, type Volume } from '../../../client/volumes.js';
import { write, type CommandSpec } from '../../command.js';
import { renderRows, TABLE_KEY } from '../../format/formatter.js';
import { humanSize } from '../../format/units.js';
import { filterFlag, formatFlag } from '../common.js';

const DEFAULT_TABLE = 'table {{.Driver}}\t{{.Name}}';
const HEADERS = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Availability: 'AVAILABILITY',
  Group: 'GROUP',
  Status: 'STATUS',
};

/** One row as docker's volumeContext exposes it to templates. */
export function volumeRow(v: Volume) {
  return {
    Name: v.Name,
    Driver: v.Driver,
    Scope: v.Scope,
    Mountpoint: v.Mountpoint,
    Labels: Object.entries(v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).join(','),
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData && v.UsageData.Size >= 0 ? humanSize(v.UsageData.Size) : 'N/A',
    // Swarm cluster-volume columns: berth (like a non-swarm dockerd) has none.
    Availability: 'N/A',
    Group: 'N/A',
    Status: 'N/A',
    Label: (name: string) => v.Labels?.[name] ?? '',
  };
}

/** docker sorts volume names with sortorder.NaturalLess: runs of digits compare as numbers. */
export function naturalLess(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const [x, y] = [ca[i]!, cb[i]!];
    if (x === y) continue;
    const bothDigits = /^\d/.test(x) && /^\d/.test(y);
    if (bothDigits && BigInt(x) !== BigInt(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

export const volumeLsCommand: CommandSpec = {
  path: 'volume ls',
  aliases: ['volume ls', 'volume list'],
  usage: '[OPTIONS]',
  short: 'List volumes',
  args: { kind: 'exact', count: 0 },
  flags: [
    filterFlag("Provide filter values (e.g. 'dangling=true')"),
    formatFlag(),
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display volume names' },
  ],
  async run(ctx, { flags }) {
    const client = await ctx.client();
    const { Volumes, Warnings } = await listVolumes(client.api, filtersFromFlags(flags.filter as string[]));
    const volumes = [...(Volumes ?? [])].sort((a, b) => naturalLess(a.Name, b.Name));
    const source = (flags.format as string) || TABLE_KEY;
    const format = flags.quiet ? '{{.Name}}' : source === TABLE_KEY ? DEFAULT_TABLE : source;
    await write(ctx.stdout, renderRows(format, volumes.map(volumeRow), HEADERS));
    for (const warning of Warnings ?? []) await write(ctx.stderr, `${warning}\n`);
    return 0;
  },
};
