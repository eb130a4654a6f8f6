import { access } from 'node:fs/promises';
import { EngineError } from '../../lib/errors.js';
import { runCommand } from './spawn.js';

/**
 * Thin, typed wrappers over iproute2's `ip`. Each change set is one spawn:
 * callers collect commands (as `ip -batch` lines) and run them together,
 * because every spawn costs milliseconds on the container start path.
 */

/** Runs a tool with optional stdin; resolves with stdout, rejects with its stderr in the message. */
export async function runTool(command: string, args: string[], input?: string, netns?: string): Promise<string> {
  const result = await runCommand(command, args, input, netns ? { netns } : {}).catch((e: Error) => {
    throw new EngineError('internal', `${command}: ${e.message}`, { cause: e });
  });
  if (result.code === 0) return result.stdout;
  const message = result.stderr.trim() || `exit status ${result.code}`;
  throw new EngineError('internal', `${command} ${args.join(' ')}: ${message}`);
}

/** Runs `ip` lines in one process; `netns` runs them inside that named namespace. */
export async function ipBatch(lines: string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  await runTool('ip', args, lines.join('\n') + '\n');
}

/** Line builders, so callers never format ip syntax by hand. */
export const ipCmd = {
  netnsAdd: (name: string) => `netns add ${name}`,
  netnsDel: (name: string) => `netns del ${name}`,
  bridgeAdd: (name: string, mtu?: number) => `link add ${name} type bridge${mtu ? ` mtu ${mtu}` : ''}`,
  dummyAdd: (name: string) => `link add ${name} type dummy`,
  /** A veth whose peer is created directly in `netns` under `peerName` (so it may be "eth0"). */
  vethAdd: (hostName: string, peerName: string, netns: string, peerMac?: string, mtu?: number) =>
    `link add ${hostName}${mtu ? ` mtu ${mtu}` : ''} type veth peer name ${peerName}${peerMac ? ` address ${peerMac}` : ''}${mtu ? ` mtu ${mtu}` : ''} netns ${netns}`,
  macvlanAdd: (name: string, parent: string, mode: string, netns: string, mac?: string) =>
    `link add ${name} link ${parent}${mac ? ` address ${mac}` : ''} netns ${netns} type macvlan mode ${mode}`,
  linkDel: (name: string) => `link del ${name}`,
  linkUp: (name: string) => `link set ${name} up`,
  linkMaster: (name: string, master: string) => `link set ${name} master ${master} up`,
  linkAddress: (name: string, mac: string) => `link set ${name} address ${mac}`,
  linkRename: (name: string, newName: string) => `link set ${name} name ${newName}`,
  /** IPv4 addresses get their subnet's broadcast (`brd +`), as netlink gives dockerd's; not /31 and /32, which have none. */
  addrAdd: (cidr: string, dev: string, { nodad = false } = {}) =>
    `addr add ${cidr}${hasBroadcast(cidr) ? ' brd +' : ''} dev ${dev}${nodad ? ' nodad' : ''}`,
  routeDefault: (gateway: string) => `route add default via ${gateway}`,
};

function hasBroadcast(cidr: string): boolean {
  const [address, prefix] = cidr.split('/');
  return !address!.includes(':') && Number(prefix) < 31;
}

export interface LinkInfo {
  ifname: string;
  /** "bridge", "veth", "macvlan", "dummy", … (undefined for plain devices such as eth0). */
  kind?: string;
  master?: string;
  address?: string;
  operstate?: string;
}

/** `ip -d -j link show`, optionally inside a netns. */
export async function listLinks(netns?: string): Promise<LinkInfo[]> {
  const args = [...(netns ? ['-n', netns] : []), '-d', '-j', 'link', 'show'];
  const raw = JSON.parse(await runTool('ip', args)) as Array<Record<string, unknown>>;
  return raw.map((l) => ({
    ifname: String(l.ifname),
    kind: (l.linkinfo as { info_kind?: string } | undefined)?.info_kind,
    master: l.master as string | undefined,
    address: l.address as string | undefined,
    operstate: l.operstate as string | undefined,
  }));
}

export interface AddressInfo {
  ifname: string;
  /** "192.0.2.2/24" */
  cidrs: string[];
}

/** IPv4 (or with family 6, IPv6) addresses of every interface (host netns unless `netns`). */
export async function listAddresses(netns?: string, family: 4 | 6 = 4): Promise<AddressInfo[]> {
  const args = [...(netns ? ['-n', netns] : []), `-${family}`, '-j', 'addr', 'show'];
  const raw = JSON.parse(await runTool('ip', args)) as Array<{ ifname: string; addr_info?: Array<{ local: string; prefixlen: number }> }>;
  return raw.map((l) => ({ ifname: l.ifname, cidrs: (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`) }));
}

/** IPv4 (or IPv6) route destinations of the main table ("default" is left out: it overlaps everything). */
export async function listRouteDestinations(netns?: string, family: 4 | 6 = 4): Promise<string[]> {
  const args = [...(netns ? ['-n', netns] : []), `-${family}`, '-j', 'route', 'show'];
  const raw = JSON.parse(await runTool('ip', args)) as Array<{ dst: string }>;
  return raw.map((r) => r.dst).filter((d) => d !== 'default').map((d) => (d.includes('/') ? d : `${d}/${family === 4 ? 32 : 128}`));
}

/**
 * Whether a link exists in the host netns: sysfs (mounted in berthd's netns)
 * lists its links, which saves spawning `ip link show` on the stop path.
 */
export async function linkExists(name: string): Promise<boolean> {
  if (!name || name.includes('/') || name === '.' || name === '..') return false;
  return access(`/sys/class/net/${name}`).then(() => true, () => false);
}
