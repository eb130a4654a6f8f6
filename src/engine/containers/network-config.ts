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

/**
 * Whether the runtime must create the container only once its sandbox is
 * plumbed: runc applies sysctls at create, and a user's net.* one (say
 * net.ipv6.conf.all.disable_ipv6, or one naming eth0) must find the
 * interfaces with their addresses, as it did when the sandbox was whole
 * before the create. Otherwise the create and the plumbing run side by side.
 */
export function sysctlsNeedPlumbing(sysctls: Record<string, string> | undefined | null): boolean {
  return Object.keys(sysctls ?? {}).some((key) => key.startsWith('net.'));
}
