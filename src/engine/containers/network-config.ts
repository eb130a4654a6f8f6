import { endpointRequestOf, type ContainerNetworkConfig, type DockerEndpointSettings } from '../network/types.js';
import type { Container, CreateRequest } from './types.js';

/** The network side of a create request, as the network area takes it. */
export function networkConfigOf(c: Container, request: CreateRequest): ContainerNetworkConfig {
  const h = request.hostConfig;
  const given = (request.networkingConfig as { EndpointsConfig?: Record<string, DockerEndpointSettings | null> } | undefined)?.EndpointsConfig ?? {};
  // The docker CLI names the default network's endpoint after the mode ("default"): that is the bridge.
  const endpoints = Object.fromEntries(Object.entries(given).map(([name, e]) => [name === 'default' ? 'bridge' : name, endpointRequestOf(e)]));
  return {
    name: c.name.slice(1),
    anonymous: !request.name,
    hostname: c.config.Hostname ?? '',
    domainname: c.config.Domainname ?? '',
    networkMode: h.NetworkMode ?? '',
    endpoints,
    portBindings: (h.PortBindings ?? {}) as ContainerNetworkConfig['portBindings'],
    publishAllPorts: !!h.PublishAllPorts,
    exposedPorts: Object.keys(c.config.ExposedPorts ?? {}),
    macAddress: (c.config as { MacAddress?: string }).MacAddress || undefined,
    dns: h.Dns ?? [],
    dnsSearch: h.DnsSearch ?? [],
    dnsOptions: h.DnsOptions ?? [],
    extraHosts: h.ExtraHosts ?? [],
    links: h.Links ?? [],
    disabled: !!c.config.NetworkDisabled,
  };
}
