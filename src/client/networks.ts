/** Network endpoints of the Engine API. */
import { pathSegment, type ApiClient } from './client.js';
import { encodeFilters } from './filters.js';
import type { Filters } from './types.js';

/** Docker's network JSON (list and inspect). */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  Internal: boolean;
  Attachable: boolean;
  IPAM: { Driver: string; Config: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }> | null };
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface NetworkCreateOptions {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }> };
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

export interface EndpointConfig {
  Aliases?: string[];
  Links?: string[];
  MacAddress?: string;
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
  DriverOpts?: Record<string, string>;
}

export function listNetworks(api: ApiClient, filters?: Filters): Promise<NetworkResource[]> {
  return api.requestJson<NetworkResource[]>('GET', '/networks', { query: { filters: encodeFilters(filters) } });
}

export async function inspectNetwork(api: ApiClient, id: string): Promise<{ value: NetworkResource; raw: string }> {
  const { text } = await api.requestText('GET', `/networks/${pathSegment(id)}`);
  return { value: JSON.parse(text) as NetworkResource, raw: text };
}

export function createNetwork(api: ApiClient, options: NetworkCreateOptions): Promise<{ Id: string; Warning?: string }> {
  return api.requestJson('POST', '/networks/create', { json: options });
}

export async function removeNetwork(api: ApiClient, id: string): Promise<void> {
  await api.requestText('DELETE', `/networks/${pathSegment(id)}`);
}

export async function connectNetwork(api: ApiClient, network: string, container: string, endpoint?: EndpointConfig): Promise<void> {
  await api.requestText('POST', `/networks/${pathSegment(network)}/connect`, { json: { Container: container, EndpointConfig: endpoint } });
}

export async function disconnectNetwork(api: ApiClient, network: string, container: string, force = false): Promise<void> {
  await api.requestText('POST', `/networks/${pathSegment(network)}/disconnect`, { json: { Container: container, Force: force } });
}

export function pruneNetworks(api: ApiClient, filters?: Filters): Promise<{ NetworksDeleted: string[] | null }> {
  return api.requestJson('POST', '/networks/prune', { query: { filters: encodeFilters(filters) } });
}
