import type { EndpointInfo, IpamPool, NetworkView } from '../../engine/network/types.js';

/** Docker's network JSON (GET /networks and /networks/{id}) from the engine's view. */

function driverName(n: NetworkView): string {
  return n.driver;
}

function containerEntry(e: EndpointInfo) {
  return {
    Name: e.containerName,
    EndpointID: e.endpointId,
    MacAddress: e.macAddress,
    IPv4Address: e.ipAddress ? `${e.ipAddress}/${e.prefixLength}` : '',
    IPv6Address: e.ipv6Address ? `${e.ipv6Address}/${e.ipv6PrefixLength}` : '',
  };
}

/** An IPAM pool as dockerd shows it: a given pool as given, so without a gateway berth picked. */
function shownPool(pool: IpamPool, gatewayPicked: boolean): IpamPool {
  if (!gatewayPicked) return { ...pool };
  const { Gateway: _picked, ...given } = pool;
  return given;
}

export function networkJson(n: NetworkView, withContainers: boolean): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const e of n.endpoints) containers[e.containerId] = containerEntry(e);
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: n.scope,
    Driver: driverName(n),
    EnableIPv6: n.ipv6,
    IPAM: { Driver: 'default', Options: n.ipamOptions ?? null, Config: n.ipam.map((p, i) => shownPool(p, i === 0 && !!n.gatewayPicked)) },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: withContainers ? containers : {},
    Options: n.options,
    Labels: n.labels,
  };
}

/** A container's NetworkSettings.Networks entry (for the containers routes). */
export function endpointSettingsJson(e: EndpointInfo): Record<string, unknown> {
  return {
    IPAMConfig: e.ipamConfig ?? null,
    Links: e.links.length ? e.links : null,
    Aliases: e.aliases.length ? e.aliases : null,
    MacAddress: e.macAddress,
    NetworkID: e.networkId,
    EndpointID: e.endpointId,
    Gateway: e.gateway,
    IPAddress: e.ipAddress,
    IPPrefixLen: e.prefixLength,
    IPv6Gateway: e.ipv6Gateway,
    GlobalIPv6Address: e.ipv6Address,
    GlobalIPv6PrefixLen: e.ipv6PrefixLength,
    DriverOpts: e.driverOpts ?? null,
    DNSNames: e.ipAddress ? [e.containerName, ...e.aliases] : null,
  };
}
