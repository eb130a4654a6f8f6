import { invalid } from '../../lib/errors.js';
import { canonicalAddress } from './ipv6.js';
import type { PortMap } from './types.js';

/**
 * Published ports: from Docker's PortBindings (+ -P's exposed ports) to a
 * list of concrete wishes; host ports are chosen when they are bound (see
 * proxy.ts), because only binding proves a port is free.
 */

export type Protocol = 'tcp' | 'udp';

/** One published port as requested; hostPorts is a range ([0, 0] = any ephemeral port). */
export interface PortRequest {
  protocol: Protocol;
  containerPort: number;
  /** "" (no HostIp): 0.0.0.0 and, where the host has IPv6, :: on the same port, as dockerd publishes. */
  hostIp: string;
  hostPorts: [number, number];
}

/** A published port once its host port is bound. */
export interface PublishedPort {
  protocol: Protocol;
  containerPort: number;
  hostIp: string;
  hostPort: number;
  containerIp: string;
}

/** "80/tcp" → [80, 'tcp']; the protocol defaults to tcp. */
export function parsePortKey(key: string): { port: number; protocol: Protocol } {
  const [portText, proto = 'tcp'] = key.split('/');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`invalid containerPort: ${portText}`);
  if (proto !== 'tcp' && proto !== 'udp') throw invalid(`invalid proto: ${proto}`);
  return { port, protocol: proto };
}

function parseHostPorts(text: string): [number, number] {
  if (text === '' || text === '0') return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const start = Number(m?.[1]);
  const end = m?.[2] !== undefined ? Number(m[2]) : start;
  if (!m || start < 1 || end > 65535 || end < start) throw invalid(`invalid hostPort: ${text}`);
  return [start, end];
}

/** The requests of PortBindings plus, with -P, an ephemeral port for every exposed port not bound explicitly. */
export function portRequests(bindings: PortMap, publishAll: boolean, exposed: string[]): PortRequest[] {
  const out: PortRequest[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, protocol } = parsePortKey(key);
    for (const b of list ?? [{ HostIp: '', HostPort: '' }]) {
      const hostIp = b.HostIp ? canonicalHostIp(b.HostIp) : '';
      out.push({ protocol, containerPort: port, hostIp, hostPorts: parseHostPorts(b.HostPort ?? '') });
    }
  }
  if (publishAll) {
    for (const key of exposed) {
      if (bindings?.[key] || bindings?.[`${key}/tcp`]) continue;
      const { port, protocol } = parsePortKey(key);
      out.push({ protocol, containerPort: port, hostIp: '', hostPorts: [0, 0] });
    }
  }
  return out;
}

/** A HostIp of either family ("[::1]" brackets allowed), in canonical text. */
function canonicalHostIp(text: string): string {
  try {
    return canonicalAddress(text.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    throw invalid(`invalid host IP: ${text}`);
  }
}

/** Docker's NetworkSettings.Ports: every exposed port, with its bindings or null. */
export function portMap(published: PublishedPort[], exposed: string[]): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of exposed) out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const p of published) {
    const key = `${p.containerPort}/${p.protocol}`;
    (out[key] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  }
  return out;
}
