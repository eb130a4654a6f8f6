import { isIP } from 'node:net';
import { invalid, notImplemented } from '../../lib/errors.js';
import { goQuote } from '../../lib/go-text.js';
import { checkMtuOption } from './mtu.js';

/**
 * A bridge network's driver options (-o) that dockerd's bridge driver reads
 * (libnetwork's networkConfiguration.fromLabels): each is parsed as it parses
 * it, a bad value refused in its words. What berth does with them:
 * enable_ip_masquerade=false leaves the network's traffic un-NATed; the
 * defaults of enable_icc and host_binding_ipv4 are what every berth network
 * does, and other values are refused as unsupported rather than ignored.
 */

export const ENABLE_ICC = 'com.docker.network.bridge.enable_icc';
export const ENABLE_IP_MASQUERADE = 'com.docker.network.bridge.enable_ip_masquerade';
export const HOST_BINDING_IPV4 = 'com.docker.network.bridge.host_binding_ipv4';
const BOOLEAN_OPTIONS = [ENABLE_ICC, ENABLE_IP_MASQUERADE, 'com.docker.network.bridge.default_bridge', 'com.docker.network.enable_ipv6'];

export function checkBridgeOptions(options: Record<string, string> | undefined): void {
  checkMtuOption(options);
  for (const name of BOOLEAN_OPTIONS) {
    const value = options?.[name];
    if (value !== undefined) parseGoBool(name, value);
  }
  const bindingIp = options?.[HOST_BINDING_IPV4];
  if (bindingIp !== undefined && isIP(bindingIp) === 0) throw invalid(`failed to parse ${HOST_BINDING_IPV4} value: ${bindingIp} (nil ip)`);
  if (options?.[ENABLE_ICC] !== undefined && !parseGoBool(ENABLE_ICC, options[ENABLE_ICC])) {
    throw notImplemented(`${ENABLE_ICC}=false is not supported by berth: containers on a bridge network can always reach each other`);
  }
  if (bindingIp !== undefined && bindingIp !== '0.0.0.0') {
    throw notImplemented(`${HOST_BINDING_IPV4}=${bindingIp} is not supported by berth: give the host address with each published port (-p ${bindingIp}:HOST:CONTAINER)`);
  }
}

/** Whether the network's traffic leaving the host is masqueraded (enable_ip_masquerade, true unless set false). */
export function masquerades(options: Record<string, string>): boolean {
  const value = options[ENABLE_IP_MASQUERADE];
  return value === undefined || parseGoBool(ENABLE_IP_MASQUERADE, value);
}

/** Go's strconv.ParseBool, failing in the bridge driver's words. */
function parseGoBool(name: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw invalid(`failed to parse ${name} value: ${value} (strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax)`);
}
