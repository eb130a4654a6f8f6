import { invalid, isEngineError } from '../../lib/errors.js';
import type { Container, ContainerConfig, HostConfig } from './types.js';

/**
 * Options that cannot go with the network mode, refused as dockerd's
 * validateNetMode refuses them (runconfig/hostconfig*.go, runconfig/errors.go):
 * a container sharing another's network (or the host's) has no own DNS,
 * hosts file, MAC address, ports or links.
 */
export function checkNetworkMode(config: ContainerConfig & { MacAddress?: string }, h: HostConfig): void {
  const mode = h.NetworkMode ?? '';
  const container = mode === 'container' || mode.startsWith('container:');
  const host = mode === 'host';
  if (container && !mode.split(':')[1]) {
    throw invalid('Invalid network mode: invalid container format container:<name|id>');
  }
  if (container && config.Hostname) throw invalid('conflicting options: hostname and the network mode');
  if (container && (h.Links ?? []).length > 0) {
    throw invalid("conflicting options: container type network can't be used with links. This would result in undefined behavior");
  }
  if (container && (h.Dns ?? []).length > 0) throw invalid('conflicting options: dns and the network mode');
  if (container && (h.ExtraHosts ?? []).length > 0) throw invalid('conflicting options: custom host-to-IP mapping and the network mode');
  if ((container || host) && config.MacAddress) throw invalid('conflicting options: mac-address and the network mode');
  if (container && (Object.keys(h.PortBindings ?? {}).length > 0 || h.PublishAllPorts)) {
    throw invalid('conflicting options: port publishing and the container type network mode');
  }
  if (container && Object.keys(config.ExposedPorts ?? {}).length > 0) {
    throw invalid('conflicting options: port exposing and the container type network mode');
  }
  if (host && (h.Links ?? []).length > 0) throw invalid(HOST_AND_LINKS);
  if (h.UTSMode === 'host' && config.Hostname) throw invalid('conflicting options: hostname and the UTS mode');
}

const HOST_AND_LINKS = "conflicting options: host type networking can't be used with links. This would result in undefined behavior";

/**
 * Published ports as dockerd's verifyContainerSettings reads them (go-connections/nat):
 * the container port a single number (or none), the host port a number or a low-high range.
 */
export function checkPortBindings(h: HostConfig): void {
  for (const [key, bindings] of Object.entries(h.PortBindings ?? {})) {
    const port = splitProtoPort(key);
    if (port !== '' && !isPortNumber(port)) throw invalid(`invalid port specification: ${JSON.stringify(port)}`);
    for (const binding of (Array.isArray(bindings) ? bindings : []) as { HostPort?: string }[]) {
      const hostPort = binding?.HostPort ?? '';
      if (!isHostPortRange(splitProtoPort(hostPort))) throw invalid(`invalid port specification: ${JSON.stringify(hostPort)}`);
    }
  }
}

/** nat.SplitProtoPort's port part: "80/tcp" and "80" give "80". */
function splitProtoPort(raw: string): string {
  return raw.split('/')[0]!;
}

/** strconv.ParseUint(s, 10, 16). */
function isPortNumber(text: string | undefined): boolean {
  return text !== undefined && /^\d+$/.test(text) && Number(text) <= 65535;
}

/** nat.ParsePortRangeToInt: empty, a port, or "low-high" with low <= high. */
function isHostPortRange(text: string): boolean {
  if (text === '') return true;
  if (!text.includes('-')) return isPortNumber(text);
  const [low, high] = text.split('-');
  return isPortNumber(low) && isPortNumber(high) && Number(high) >= Number(low);
}

/** What dockerd warns of at create, for options that are accepted but have no effect. */
export function networkWarnings(h: HostConfig): string[] {
  return h.NetworkMode === 'host' && Object.keys(h.PortBindings ?? {}).length > 0 ? ['Published ports are discarded when using host network mode'] : [];
}

/** Modes whose links dockerd registers at create: the default bridge's (user networks carry their own). */
const LINKING_MODES = ['', 'default', 'bridge', 'host', 'none'];

/**
 * Every legacy link names a container that exists, as dockerd's registerLinks
 * checks at create (after the volumes are made, which stay behind as in dockerd).
 */
export function checkLinks(h: HostConfig, find: (name: string) => Container): void {
  if (!LINKING_MODES.includes(h.NetworkMode ?? '') && !(h.NetworkMode ?? '').startsWith('container:')) return;
  for (const link of h.Links ?? []) {
    const name = linkTarget(link);
    let child = findLinked(name, find);
    // A child that shares another container's network is reached through that one.
    for (let hops = 0; (child.hostConfig.NetworkMode ?? '').startsWith('container:') && hops < 16; hops++) {
      child = findLinked(child.hostConfig.NetworkMode!.slice('container:'.length), find);
    }
    if (child.hostConfig.NetworkMode === 'host') throw invalid(HOST_AND_LINKS);
  }
}

/** Go's opts.ParseLink, for the name part: "name", "name:alias", or the stored "/name:/parent/alias". */
function linkTarget(link: string): string {
  if (link === '') throw invalid('empty string specified for links');
  const parts = link.split(':');
  if (parts.length > 2) throw invalid(`bad format for links: ${link}`);
  return parts[0]!.startsWith('/') ? parts[0]!.slice(1) : parts[0]!;
}

function findLinked(name: string, find: (name: string) => Container): Container {
  if (name === '') throw invalid('could not get container for : invalid name or ID supplied: ""');
  try {
    return find(name);
  } catch (err) {
    if (isEngineError(err, 'notFound')) throw invalid(`could not get container for ${name}: ${err.message}`, err);
    throw err;
  }
}
