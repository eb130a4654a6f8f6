/** `berth ps` / `berth container ls|list|ps`. */
import { filtersFromFlags } from '../../../client/filters.js';
import { write, type CommandSpec } from '../../command.js';
import { RAW_KEY, renderRows, TABLE_KEY } from '../../format/formatter.js';
import { filterFlag, formatFlag } from '../common.js';
import { CONTAINER_HEADERS, containerRow } from './ps-rows.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
const RAW = 'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n';

/** docker's formatter.NewContainerFormat. */
export function containerFormat(source: string, quiet: boolean, size: boolean): string {
  if (source === TABLE_KEY) return quiet ? '{{.ID}}' : DEFAULT_TABLE + (size ? '\t{{.Size}}' : '');
  if (source === RAW_KEY) return quiet ? 'container_id: {{.ID}}\n' : RAW + (size ? 'size: {{.Size}}\n' : '');
  return source;
}

export const psCommand: CommandSpec = {
  path: 'container ls',
  aliases: ['container ls', 'container list', 'container ps', 'ps'],
  usage: '[OPTIONS]',
  short: 'List containers',
  args: { kind: 'none' },
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Show all containers (default shows just running)' },
    filterFlag('Filter output based on conditions provided'),
    formatFlag(),
    { long: 'last', short: 'n', type: 'int', usage: 'Show n last created containers (includes all states)', default: -1 },
    { long: 'latest', short: 'l', type: 'bool', usage: 'Show the latest created container (includes all states)' },
    { long: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display container IDs' },
    { long: 'size', short: 's', type: 'bool', usage: 'Display total file sizes' },
  ],
  async run(ctx, { flags }) {
    let last = flags.last as number;
    if (flags.latest && last === -1) last = 1;
    const source = (flags.format as string) || TABLE_KEY;
    // A custom format that shows .Size asks for sizes, as docker does.
    const size = Boolean(flags.size) || (source !== TABLE_KEY && /\.Size\b/.test(source));
    const client = await ctx.client();
    const containers = await client.listContainers({ all: Boolean(flags.all) || last > 0, limit: last > 0 ? last : undefined, size, filters: filtersFromFlags(flags.filter as string[]) });
    const format = containerFormat(source, flags.quiet as boolean, Boolean(flags.size));
    const rows = containers.map((c) => containerRow(c, { trunc: !flags['no-trunc'] }));
    await write(ctx.stdout, renderRows(format, rows, CONTAINER_HEADERS));
    return 0;
  },
};

/**
 * For the CLI pool's workers (main.ts's preload): a worker runs one command,
 * so its code is always on its first run. Rendering a table of made-up rows
 * once, off the command's path, compiles the template, row and table code
 * that `ps` of a few hundred containers would otherwise run cold (~20 ms).
 */
export function warmPs(): void {
  const now = Math.floor(Date.now() / 1000);
  const sample = Array.from({ length: 64 }, (_, i) => ({
    Id: `${i}`.padStart(64, 'f'),
    Names: [`/warm-${i}`],
    Image: i % 2 ? 'busybox:latest' : 'registry.example:5000/team/app@sha256:' + '0'.repeat(64),
    ImageID: `sha256:${'e'.repeat(64)}`,
    Command: 'sh -c \'sleep 1000\'',
    Created: now - i * 97,
    Ports: i % 3 ? [] : [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8000 + i, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }],
    Labels: { 'com.example.role': 'warm' },
    State: i % 2 ? 'running' : 'exited',
    Status: i % 2 ? 'Up 2 minutes' : 'Exited (0) 1 minute ago',
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  })) as unknown as Parameters<typeof containerRow>[0][];
  for (const format of [containerFormat(TABLE_KEY, false, false), containerFormat(TABLE_KEY, true, false)]) {
    renderRows(format, sample.map((c) => containerRow(c, { trunc: true })), CONTAINER_HEADERS);
  }
}
