/** `berth network inspect|rm|prune|connect|disconnect`. */
import { filtersFromFlags } from '../../../client/filters.js';
import { connectNetwork, disconnectNetwork, inspectNetwork, pruneNetworks, removeNetwork } from '../../../client/networks.js';
import { write, type CommandSpec } from '../../command.js';
import { renderTemplate } from '../../format/template.js';
import { confirm, filterFlag } from '../common.js';

const PRUNE_WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

export const networkInspectCommand: CommandSpec = {
  path: 'network inspect',
  aliases: ['network inspect'],
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: { kind: 'min', count: 1 },
  flags: [
    { long: 'format', short: 'f', type: 'string', usage: 'Format output using a custom template' },
    { long: 'verbose', short: 'v', type: 'bool', usage: 'Verbose output for diagnostics' },
  ],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const found: unknown[] = [];
    let failed = false;
    for (const name of args) {
      try {
        found.push((await inspectNetwork(client.api, name)).value);
      } catch (err) {
        failed = true;
        await write(ctx.stderr, `Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    const format = flags.format as string;
    if (format) for (const n of found) await write(ctx.stdout, `${renderTemplate(format, n)}\n`);
    else await write(ctx.stdout, `${JSON.stringify(found, null, 4)}\n`);
    return failed ? 1 : 0;
  },
};

export const networkRmCommand: CommandSpec = {
  path: 'network rm',
  aliases: ['network rm', 'network remove'],
  usage: 'NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  args: { kind: 'min', count: 1 },
  flags: [{ long: 'force', short: 'f', type: 'bool', usage: 'Do not error if the network does not exist' }],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    let failed = false;
    for (const name of args) {
      try {
        await removeNetwork(client.api, name);
        await write(ctx.stdout, `${name}\n`);
      } catch (err) {
        if (flags.force && /not found/.test((err as Error).message)) continue;
        failed = true;
        await write(ctx.stderr, `Error response from daemon: ${(err as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};

export const networkPruneCommand: CommandSpec = {
  path: 'network prune',
  aliases: ['network prune'],
  usage: '[OPTIONS]',
  short: 'Remove all unused networks',
  args: { kind: 'exact', count: 0 },
  flags: [filterFlag('Provide filter values (e.g. "until=<timestamp>")'), { long: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' }],
  async run(ctx, { flags }) {
    if (!flags.force && !(await confirm(ctx, PRUNE_WARNING))) return 0;
    const client = await ctx.client();
    const report = await pruneNetworks(client.api, filtersFromFlags(flags.filter as string[]));
    const deleted = report.NetworksDeleted ?? [];
    if (deleted.length) await write(ctx.stdout, `Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}`);
    return 0;
  },
};

export const networkConnectCommand: CommandSpec = {
  path: 'network connect',
  aliases: ['network connect'],
  usage: '[OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  args: { kind: 'exact', count: 2 },
  flags: [
    { long: 'alias', type: 'stringArray', usage: 'Add network-scoped alias for the container', valueName: 'strings' },
    { long: 'driver-opt', type: 'stringArray', usage: 'driver options for the network', valueName: 'strings' },
    { long: 'ip', type: 'string', usage: 'IPv4 address (e.g., "172.30.100.104")' },
    { long: 'ip6', type: 'string', usage: 'IPv6 address (e.g., "2001:db8::33")' },
    { long: 'link', type: 'stringArray', usage: 'Add link to another container', valueName: 'list' },
    { long: 'link-local-ip', type: 'stringArray', usage: 'Add a link-local address for the container', valueName: 'strings' },
  ],
  async run(ctx, { flags, args }) {
    let driverOpts: Record<string, string>;
    try {
      driverOpts = driverOptions(commaList(flags['driver-opt']));
    } catch (err) {
      await write(ctx.stderr, `${(err as Error).message}\n`);
      return 1;
    }
    const client = await ctx.client();
    const aliases = commaList(flags.alias);
    const links = flags.link as string[];
    const linkLocal = commaList(flags['link-local-ip']);
    const ipam = { IPv4Address: (flags.ip as string) || undefined, IPv6Address: (flags.ip6 as string) || undefined, LinkLocalIPs: linkLocal.length ? linkLocal : undefined };
    await connectNetwork(client.api, args[0]!, args[1]!, {
      Aliases: aliases.length ? aliases : undefined,
      Links: links.length ? links : undefined,
      IPAMConfig: Object.values(ipam).some((v) => v !== undefined) ? ipam : undefined,
      DriverOpts: Object.keys(driverOpts).length ? driverOpts : undefined,
    });
    return 0;
  },
};

export const networkDisconnectCommand: CommandSpec = {
  path: 'network disconnect',
  aliases: ['network disconnect'],
  usage: '[OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  args: { kind: 'exact', count: 2 },
  flags: [{ long: 'force', short: 'f', type: 'bool', usage: 'Force the container to disconnect from a network' }],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    await disconnectNetwork(client.api, args[0]!, args[1]!, flags.force as boolean);
    return 0;
  },
};

/** pflag's "strings" flags: each value may hold several, comma-separated. */
function commaList(value: unknown): string[] {
  return (value as string[]).flatMap((v) => v.split(',')).filter((v) => v !== '');
}

/** docker's convertDriverOpt: "k=v", both trimmed; a missing "=" or key is refused. */
function driverOptions(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const opt of list) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? '' : opt.slice(0, eq).trim();
    if (!key) throw new Error('invalid key/value pair format in driver options');
    out[key] = opt.slice(eq + 1).trim();
  }
  return out;
}
