import { isIP } from 'node:net';
import { EngineError, invalid } from '../../lib/errors.js';
import { isIpv4 } from './ipv4.js';
import type { EndpointRequest, NetworkRecord } from './types.js';

/**
 * The checks dockerd 20.10 makes on an endpoint's requested addresses, with
 * its texts and statuses, at the moment it makes them: the address syntax when
 * the container is created (or connected), the rest against the network when
 * the endpoint is made (start, or connect). An address inside the subnet that
 * is free is then the allocator's business.
 */

/** Address syntax. `create` and `connect` are worded differently by dockerd (and connect answers 500). */
export function checkEndpointSyntax(request: EndpointRequest, phase: 'create' | 'connect'): void {
  const v4 = request.ipv4Address;
  const v6 = request.ipv6Address;
  if (phase === 'create') {
    if (v4 && !isIpv4(v4)) throw invalid(`invalid IPv4 address: ${v4}`);
    if (v6 && isIP(v6) !== 6) throw invalid(`invalid IPv6 address: ${v6}`);
  } else {
    if (v4 && !isIpv4(v4)) throw internal(`Invalid IPv4 address: ${v4})`);
    if (v6 && isIP(v6) !== 6) throw internal(`Invalid IPv6 address: ${v6})`);
  }
}

/** Against the network the endpoint is made on. */
export function checkEndpointOnNetwork(n: NetworkRecord, request: EndpointRequest, isDefaultBridge: boolean): void {
  const wantsAddress = !!(request.ipv4Address || request.ipv6Address);
  if (wantsAddress && isDefaultBridge) throw invalid('user specified IP address is supported on user defined networks only');
  // An --ip6 without an IPv6 subnet is refused where the IPv6 address is allocated (dockerd does it at start).
  if (request.ipv4Address && (n.autoSubnet || !n.ipam[0])) {
    throw invalid('user specified IP address is supported only when connecting to networks with user configured subnets');
  }
  if (request.aliases?.length && isDefaultBridge) throw invalid('network-scoped alias is supported only for containers in user defined networks');
  const linkLocal = request.linkLocalIps ?? [];
  if (linkLocal.some((ip) => isIP(ip) === 0)) throw internal(`Invalid link-local IP address: [${linkLocal.join(' ')}]`);
}

/** The prefix dockerd gives a link-local address on the interface. */
export function linkLocalCidr(ip: string): string {
  return isIP(ip) === 6 ? `${ip}/64` : `${ip}/16`;
}

function internal(message: string): EngineError {
  return new EngineError('internal', message);
}
