/**
 * How a service's containers join networks and share namespaces: the
 * project networks in priority order with their endpoint settings, and
 * `service:NAME` references (network_mode, pid, ipc, volumes_from) turned
 * into `container:` references to that service's first container, which
 * `up` has started before (finalise.ts makes them dependencies).
 */
import { compareVersions, type BerthClient } from '../client/index.js';
import type { Project } from './project.js';

type Dict = Record<string, unknown>;

/** `<project>-<service>-<n>`, or the service's `container_name`. */
export function containerName(project: Project, service: string, number: number): string {
  const explicit = project.model.services[service]?.container_name;
  return typeof explicit === 'string' ? explicit : `${project.name}-${service}-${number}`;
}

/** Networks of a service in the order compose attaches them: by priority, then name. */
export function serviceNetworks(service: Dict): string[] {
  const networks = (service.networks ?? {}) as Record<string, Dict | null>;
  const priority = (n: string) => Number(networks[n]?.priority ?? 0);
  return Object.keys(networks).sort((a, b) => priority(b) - priority(a) || a.localeCompare(b));
}

/** The endpoint settings on one network: the container and service names and the `aliases` as DNS names, static addresses, MAC. */
export function endpointConfig(service: Dict, serviceName: string, name: string, network: string): Dict {
  const own = ((service.networks ?? {}) as Record<string, Dict | null>)[network] ?? {};
  const aliases = [name, serviceName, ...((own.aliases as string[] | undefined) ?? [])];
  const endpoint: Dict = { Aliases: [...new Set(aliases)] };
  if (own.ipv4_address || own.ipv6_address) endpoint.IPAMConfig = { IPv4Address: own.ipv4_address, IPv6Address: own.ipv6_address };
  if (own.mac_address) endpoint.MacAddress = own.mac_address;
  if (own.link_local_ips) endpoint.IPAMConfig = { ...(endpoint.IPAMConfig as Dict | undefined), LinkLocalIPs: own.link_local_ips };
  if (own.driver_opts) endpoint.DriverOpts = own.driver_opts;
  return endpoint;
}

/** The engine's name of a project network key. */
export function networkName(project: Project, key: string): string {
  return String(project.model.networks[key]?.name ?? key);
}

/** `service:NAME` → `container:<its first container>`; other modes (host, none, container:x, a network) as given. */
export function namespaceRef(project: Project, mode: unknown): string | undefined {
  if (typeof mode !== 'string' || mode === '') return undefined;
  return mode.startsWith('service:') ? `container:${containerName(project, mode.slice('service:'.length), 1)}` : mode;
}

/**
 * The network mode and the endpoints of the create request: the first
 * network's, or (`all`, API 1.44 and later, as compose v2 does) every
 * network's, so none has to be connected afterwards.
 */
export function createNetworking(project: Project, serviceName: string, containerName_: string, all = false): { mode: string | undefined; endpoints: Dict } {
  const service = project.model.services[serviceName];
  const explicit = namespaceRef(project, service.network_mode);
  if (explicit) return { mode: explicit, endpoints: {} };
  const networks = serviceNetworks(service);
  if (networks.length === 0) return { mode: undefined, endpoints: {} };
  const joined = all ? networks : networks.slice(0, 1);
  return {
    mode: networkName(project, networks[0]),
    endpoints: Object.fromEntries(joined.map((key) => [networkName(project, key), endpointConfig(service, serviceName, containerName_, key)])),
  };
}

/** Whether the engine takes every network in the create request (API 1.44). */
export async function networksAtCreate(client: BerthClient): Promise<boolean> {
  return compareVersions(await client.api.apiVersion(), '1.44') >= 0;
}

/** After create: the service's other networks, connected before the container starts, unless the create request had them all. */
export async function connectOtherNetworks(client: BerthClient, project: Project, serviceName: string, id: string, plan: { name: string; allNetworks?: boolean }): Promise<void> {
  const service = project.model.services[serviceName];
  if (service.network_mode || plan.allNetworks) return;
  for (const key of serviceNetworks(service).slice(1)) {
    await client.connectNetwork(networkName(project, key), id, endpointConfig(service, serviceName, plan.name, key));
  }
}
