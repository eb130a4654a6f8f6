import { randomBytes } from 'node:crypto';
import { BackgroundTasks } from '../../lib/background.js';
import { ipBatch, ipCmd, linkExists, runTool } from '../../platform/linux/ip.js';
import { deleteNetns, netnsPath } from '../../platform/linux/netns.js';
import { ensureSysctl } from '../../platform/linux/sysctl.js';

/**
 * A container's network sandbox: a named netns with one interface per
 * network. Building it costs two `ip -batch` spawns whatever the number of
 * networks: one in the host netns (create the netns, the veth pairs whose
 * peers are born inside it, enslave them to the bridges), one inside it
 * (loopback, addresses, MACs, default route). They are two steps
 * (makeSandbox, plumbSandbox) so that a start can run the second one while
 * the runtime creates the container in the netns the first one made.
 */

export interface InterfacePlan {
  driver: 'bridge' | 'macvlan';
  /** Name inside the netns: eth0, eth1, … */
  ifname: string;
  /** bridge: the host end of the veth; macvlan: a temporary name before the rename. */
  hostIfname: string;
  /** bridge: the Linux bridge; macvlan: the parent interface. */
  device: string;
  macvlanMode?: string;
  ip: string;
  prefixLength: number;
  /** The IPv6 address and its prefix length, on dual-stack networks. */
  ip6?: string;
  prefixLength6?: number;
  mac: string;
  /** --link-local-ip addresses with their prefix ("169.254.1.1/16"), added beside the main one. */
  linkLocal?: string[];
  /** bridge: both veth ends' MTU (the network's com.docker.network.driver.mtu), else the kernel's 1500. */
  mtu?: number;
}

export function randomIfname(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex').slice(0, 7)}`;
}

/** Host-side commands creating the interface (its peer or itself inside `netns`). */
function hostLines(netns: string, i: InterfacePlan): string[] {
  if (i.driver === 'macvlan') return [ipCmd.macvlanAdd(i.hostIfname, i.device, i.macvlanMode ?? 'bridge', netns, i.mac)];
  return [ipCmd.vethAdd(i.hostIfname, i.ifname, netns, i.mac, i.mtu), ipCmd.linkMaster(i.hostIfname, i.device)];
}

function innerLines(i: InterfacePlan): string[] {
  return [
    ...(i.driver === 'macvlan' ? [ipCmd.linkRename(i.hostIfname, i.ifname)] : []),
    ipCmd.addrAdd(`${i.ip}/${i.prefixLength}`, i.ifname),
    // As dockerd: no duplicate address detection, so the address is usable at once rather than "tentative" for a second.
    ...(i.ip6 ? [ipCmd.addrAdd(`${i.ip6}/${i.prefixLength6}`, i.ifname, { nodad: true })] : []),
    ...(i.linkLocal ?? []).map((cidr) => ipCmd.addrAdd(cidr, i.ifname)),
    ipCmd.linkUp(i.ifname),
  ];
}

/** Default routes of a sandbox, one per family that has a gateway. */
export interface DefaultGateways {
  v4: string | null;
  v6: string | null;
}

function routeLines(gateways: DefaultGateways | null): string[] {
  return [gateways?.v4, gateways?.v6].filter((g): g is string => !!g).map((g) => ipCmd.routeDefault(g));
}

/**
 * The first half of a sandbox: the netns with the interfaces' host sides
 * (veth pairs enslaved, their peers inside). A runtime can create the
 * container in it already; plumbSandbox does the rest before its process
 * runs. On failure nothing is left. Returns the netns path.
 */
export async function makeSandbox(netns: string, interfaces: InterfacePlan[]): Promise<string> {
  try {
    await ipBatch([ipCmd.netnsAdd(netns), ...interfaces.flatMap((i) => hostLines(netns, i))]);
    return netnsPath(netns);
  } catch (err) {
    await destroySandbox(netns, interfaces).catch(() => undefined);
    throw err;
  }
}

/** The second half, inside the netns: loopback, addresses, MACs, default routes. On failure the caller destroys the sandbox. */
export async function plumbSandbox(netns: string, interfaces: InterfacePlan[], gateways: DefaultGateways): Promise<void> {
  await ipBatch([ipCmd.linkUp('lo'), ...interfaces.flatMap(innerLines), ...routeLines(gateways)], netns);
}

/** Adds one interface to a live sandbox (network connect on a running container). */
export async function addInterface(netns: string, i: InterfacePlan, gateways: DefaultGateways | null): Promise<void> {
  await ipBatch(hostLines(netns, i));
  try {
    await ipBatch([...innerLines(i), ...routeLines(gateways)], netns);
  } catch (err) {
    await removeInterface(netns, i).catch(() => undefined);
    throw err;
  }
}

export async function removeInterface(netns: string, i: InterfacePlan): Promise<void> {
  await ipBatch([ipCmd.linkDel(i.ifname)], netns).catch(() => undefined);
  if (i.driver === 'bridge' && (await linkExists(i.hostIfname))) await ipBatch([ipCmd.linkDel(i.hostIfname)]);
}

/**
 * Deletes the netns; the veth peers inside die with it and take their host
 * ends along once the kernel has cleaned the namespace up. An end still
 * there (that cleanup is asynchronous, and a veth whose peer never got in
 * has none) is deleted in the background.
 */
export async function destroySandbox(netns: string, interfaces: InterfacePlan[]): Promise<void> {
  await deleteNetns(netns);
  for (const i of interfaces) if (i.driver === 'bridge') deleteHostEndLater(i.hostIfname);
}

/** Host veth ends being deleted after their sandbox was (see deleteHostEndLater). */
const hostEndDeletions = new BackgroundTasks();

/**
 * Deletes a host veth end that outlived its namespace, without making the
 * caller wait. Deleting a link takes 40–60 ms here (the kernel waits for RCU
 * grace periods), and a container's stop and `run --rm` waited for it,
 * although the kernel removes the pair by itself once the dying namespace
 * is cleaned up (asynchronously, so the end is usually still there now).
 * Nothing refers to the name any more: the sandbox is gone from berthd's
 * state and a new endpoint gets a new random name. dockerd too answers a
 * stop before its sandbox's interfaces are gone.
 */
function deleteHostEndLater(name: string): void {
  // A failure means gone meanwhile (the kernel was first), or gone with the host.
  hostEndDeletions.add((async () => {
    if (await linkExists(name)) await ipBatch([ipCmd.linkDel(name)]);
  })());
}

/** Waits for every host veth end still being deleted (berthd's shutdown, tests). */
export async function settleHostEndDeletions(): Promise<void> {
  await hostEndDeletions.settled();
}

/**
 * Creates a bridge with the gateway address(es) and brings it up; an existing
 * one is kept. An IPv6 gateway goes on with fe80::1/64 beside it, as dockerd
 * gives its bridges, after IPv6 is turned on for the bridge (a host may
 * create interfaces with it off); that costs a few more spawns, IPv6 only.
 */
export async function ensureBridge(name: string, gatewayCidr: string | null, gatewayCidr6: string | null = null): Promise<void> {
  const exists = await linkExists(name);
  if (!exists && !gatewayCidr6) {
    await ipBatch([ipCmd.bridgeAdd(name), ...(gatewayCidr ? [ipCmd.addrAdd(gatewayCidr, name)] : []), ipCmd.linkUp(name)]);
    return;
  }
  if (!exists) await ipBatch([ipCmd.bridgeAdd(name)]);
  if (gatewayCidr6) await ensureSysctl(`net.ipv6.conf.${name}.disable_ipv6`, '0');
  for (const cidr of [gatewayCidr, ...(gatewayCidr6 ? [gatewayCidr6, 'fe80::1/64'] : [])]) {
    if (cidr) await runTool('ip', ['addr', 'replace', cidr, 'dev', name, ...(cidr.includes(':') ? ['nodad'] : [])]);
  }
  await ipBatch([ipCmd.linkUp(name)]);
}

export async function deleteBridge(name: string): Promise<void> {
  if (await linkExists(name)) await ipBatch([ipCmd.linkDel(name)]);
}
