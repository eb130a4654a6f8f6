import { randomBytes } from 'node:crypto';
import { ipBatch, ipCmd, linkExists, runTool } from '../../platform/linux/ip.js';
import { deleteNetns, netnsPath } from '../../platform/linux/netns.js';

/**
 * A container's network sandbox: a named netns with one interface per
 * network. Building it costs two `ip -batch` spawns whatever the number of
 * networks: one in the host netns (create the netns, the veth pairs whose
 * peers are born inside it, enslave them to the bridges), one inside it
 * (loopback, addresses, MACs, default route).
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
  mac: string;
  /** --link-local-ip addresses with their prefix ("169.254.1.1/16"), added beside the main one. */
  linkLocal?: string[];
}

export function randomIfname(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex').slice(0, 7)}`;
}

/** Host-side commands creating the interface (its peer or itself inside `netns`). */
function hostLines(netns: string, i: InterfacePlan): string[] {
  if (i.driver === 'macvlan') return [ipCmd.macvlanAdd(i.hostIfname, i.device, i.macvlanMode ?? 'bridge', netns, i.mac)];
  return [ipCmd.vethAdd(i.hostIfname, i.ifname, netns, i.mac), ipCmd.linkMaster(i.hostIfname, i.device)];
}

function innerLines(i: InterfacePlan): string[] {
  return [
    ...(i.driver === 'macvlan' ? [ipCmd.linkRename(i.hostIfname, i.ifname)] : []),
    ipCmd.addrAdd(`${i.ip}/${i.prefixLength}`, i.ifname),
    ...(i.linkLocal ?? []).map((cidr) => ipCmd.addrAdd(cidr, i.ifname)),
    ipCmd.linkUp(i.ifname),
  ];
}

/** Creates the netns with its interfaces; on failure nothing is left. Returns the netns path. */
export async function buildSandbox(netns: string, interfaces: InterfacePlan[], defaultGateway: string | null): Promise<string> {
  try {
    await ipBatch([ipCmd.netnsAdd(netns), ...interfaces.flatMap((i) => hostLines(netns, i))]);
    const route = defaultGateway ? [ipCmd.routeDefault(defaultGateway)] : [];
    await ipBatch([ipCmd.linkUp('lo'), ...interfaces.flatMap(innerLines), ...route], netns);
    return netnsPath(netns);
  } catch (err) {
    await destroySandbox(netns, interfaces).catch(() => undefined);
    throw err;
  }
}

/** Adds one interface to a live sandbox (network connect on a running container). */
export async function addInterface(netns: string, i: InterfacePlan, defaultGateway: string | null): Promise<void> {
  await ipBatch(hostLines(netns, i));
  try {
    await ipBatch([...innerLines(i), ...(defaultGateway ? [ipCmd.routeDefault(defaultGateway)] : [])], netns);
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
 * ends along, but a veth whose peer never got in is removed explicitly.
 */
export async function destroySandbox(netns: string, interfaces: InterfacePlan[]): Promise<void> {
  await deleteNetns(netns);
  for (const i of interfaces) {
    if (i.driver === 'bridge' && (await linkExists(i.hostIfname))) await ipBatch([ipCmd.linkDel(i.hostIfname)]).catch(() => undefined);
  }
}

/** Creates a bridge with the gateway address and brings it up; an existing one is kept. */
export async function ensureBridge(name: string, gatewayCidr: string | null): Promise<void> {
  if (await linkExists(name)) {
    if (gatewayCidr) await runTool('ip', ['addr', 'replace', gatewayCidr, 'dev', name]);
    await ipBatch([ipCmd.linkUp(name)]);
    return;
  }
  await ipBatch([ipCmd.bridgeAdd(name), ...(gatewayCidr ? [ipCmd.addrAdd(gatewayCidr, name)] : []), ipCmd.linkUp(name)]);
}

export async function deleteBridge(name: string): Promise<void> {
  if (await linkExists(name)) await ipBatch([ipCmd.linkDel(name)]);
}
