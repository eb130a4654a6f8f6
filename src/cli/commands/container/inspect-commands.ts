/** top, diff and port: read-only views of one container. */
import { StatusError, write, type CommandSpec } from '../../command.js';
import { tabwrite } from '../../format/table.js';

export const topCommand: CommandSpec = {
  path: 'container top',
  aliases: ['container top', 'top'],
  usage: 'CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  args: { kind: 'min', count: 1 },
  interspersed: false,
  flags: [],
  async run(ctx, { args }) {
    const client = await ctx.client();
    const top = await client.topContainer(args[0], args.slice(1).join(' '));
    const lines = [top.Titles, ...(top.Processes ?? [])].map((cells) => cells.join('\t'));
    // docker: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)
    await write(ctx.stdout, tabwrite(lines.join('\n') + '\n', { minWidth: 20, padding: 3 }));
    return 0;
  },
};

const CHANGE_KINDS = ['C', 'A', 'D'];

export const diffCommand: CommandSpec = {
  path: 'container diff',
  aliases: ['container diff', 'diff'],
  usage: 'CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  args: { kind: 'exact', count: 1 },
  flags: [],
  async run(ctx, { args }) {
    const client = await ctx.client();
    const changes = await client.containerChanges(args[0]);
    await write(ctx.stdout, changes.map((c) => `${CHANGE_KINDS[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
    return 0;
  },
};

/** `80`, `80/tcp` → the key NetworkSettings.Ports uses. */
function portKey(text: string): string {
  const [port, proto = 'tcp'] = text.split('/');
  if (!/^\d+$/.test(port)) throw new StatusError(`Error: invalid port (${port}): invalid syntax`, 1);
  return `${port}/${proto.toLowerCase()}`;
}

const hostAddress = (b: { HostIp: string; HostPort: string }) => `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:${b.HostPort}`;

export const portCommand: CommandSpec = {
  path: 'container port',
  aliases: ['container port', 'port'],
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  args: { kind: 'range', min: 1, max: 2 },
  flags: [],
  async run(ctx, { args }) {
    const client = await ctx.client();
    const { value: container } = await client.inspectContainer(args[0]);
    const ports = container.NetworkSettings?.Ports ?? {};
    if (args[1] !== undefined) {
      const bindings = ports[portKey(args[1])] ?? [];
      if (bindings.length === 0) throw new StatusError(`Error: No public port '${args[1]}' published for ${args[0]}`, 1);
      await write(ctx.stdout, bindings.map((b) => `${hostAddress(b)}\n`).join(''));
      return 0;
    }
    const lines = Object.keys(ports).sort().flatMap((key) => (ports[key] ?? []).map((b) => `${key} -> ${hostAddress(b)}\n`));
    await write(ctx.stdout, lines.join(''));
    return 0;
  },
};
