/**
 * How a service's containers join networks and share namespaces: the
 * project networks in priority order with their endpoint settings, and
 * `service:NAME` references (network_mode, pid, ipc, volumes_from) turned
 * into `container:` references to that service's first container, which
 * `up` has started before (finalise.ts makes them dependencies).
 */
import type { BerthClient } from '../client/index.js';
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

/** The first network, named in HostConfig.NetworkMode and NetworkingConfig (the others are connected before start). */
export function createNetworking(project: Project, serviceName: string, containerName_: string): { mode: string | undefined; endpoints: Dict } {
  const service = project.model.services[serviceName];
  const explicit = namespaceRef(project, service.network_mode);
  if (explicit) return { mode: explicit, endpoints: {} };
  const first = serviceNetworks(service)[0];
  if (!first) return { mode: undefined, endpoints: {} };
  return { mode: networkName(project, first), endpoints: { [networkName(project, first)]: endpointConfig(service, serviceName, containerName_, first) } };
}

/** After create: the service's other networks, connected before the container starts (the first one was in the create request). */
export async function connectOtherNetworks(client: BerthClient, project: Project, serviceName: string, service: Dict, id: string, name: string): Promise<void> {
  if (service.network_mode) return;
  for (const key of serviceNetworks(service).slice(1)) {
    await client.connectNetwork(networkName(project, key), id, endpointConfig(service, serviceName, name, key));
  }
}
