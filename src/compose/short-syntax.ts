/**
 * Short syntax → long syntax for the service attributes that have both
 * (05-services.md): ports and volumes. Kept apart from normalise.ts because
 * each has its own small grammar.
 */
import { isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';
import { invalid } from '../lib/errors.js';

export interface PortConfig {
  name?: string;
  mode: string;
  host_ip?: string;
  target: number;
  published?: string;
  protocol: string;
  app_protocol?: string;
}

/** `[[HOST_IP:]HOST:]CONTAINER[/PROTO]`, with ranges and `[v6]` host IPs; a range of container ports gives one entry each. */
export function parsePortShort(spec: string | number): PortConfig[] {
  const text = String(spec);
  const [body, protocol = 'tcp'] = splitOnce(text, '/');
  let hostIp: string | undefined;
  let rest = body;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(body);
  if (v6) [hostIp, rest] = [v6[1], v6[2]];
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2 || (v6 && parts.length !== 2)) throw invalid(`invalid port spec ${JSON.stringify(text)}`);
  const container = parts.pop() as string;
  const published = parts.length ? parts[0] : '';
  const targets = portRange(container, text);
  const hosts = published ? portRange(published, text) : [];
  if (hosts.length > 1 && targets.length > 1 && hosts.length !== targets.length) throw invalid(`invalid port spec ${JSON.stringify(text)}: ranges of different sizes`);
  return targets.map((target, i) => {
    const port: PortConfig = { mode: 'ingress', target, protocol };
    if (hostIp) port.host_ip = hostIp;
    if (hosts.length === 1 || (hosts.length > 1 && targets.length === 1)) port.published = published;
    else if (hosts.length > 1) port.published = String(hosts[i]);
    return port;
  });
}

function portRange(text: string, spec: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw invalid(`invalid port spec ${JSON.stringify(spec)}`);
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  if (end < start || end > 65535) throw invalid(`invalid port range ${JSON.stringify(text)}`);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

function splitOnce(text: string, sep: string): [string, string?] {
  const i = text.indexOf(sep);
  return i < 0 ? [text] : [text.slice(0, i), text.slice(i + 1)];
}

export interface VolumeConfig {
  type: string;
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: Record<string, unknown>;
  volume?: Record<string, unknown>;
  [key: string]: unknown;
}

const MODES = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'consistent', 'cached', 'delegated']);

/** `[SOURCE:]TARGET[:MODE]`; a source that is a path makes a bind mount, else a named volume. */
export function parseVolumeShort(spec: string): VolumeConfig {
  const parts = spec.split(':');
  let modes: string[] = [];
  if (parts.length > 1 && parts[parts.length - 1].split(',').every((m) => MODES.has(m))) modes = (parts.pop() as string).split(',');
  if (parts.length > 2 || parts.some((p) => p === '')) throw invalid(`invalid spec: ${spec}: too many colons`);
  const [source, target] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (source === undefined) return { type: 'volume', target, volume: {} };
  const isPath = /^[./~]/.test(source);
  const volume: VolumeConfig = { type: isPath ? 'bind' : 'volume', source, target };
  if (modes.includes('ro')) volume.read_only = true;
  if (isPath) {
    volume.bind = { create_host_path: true };
    const selinux = modes.find((m) => m === 'z' || m === 'Z');
    if (selinux) volume.bind.selinux = selinux;
    const propagation = modes.find((m) => /shared|slave|private/.test(m));
    if (propagation) volume.bind.propagation = propagation;
  } else {
    volume.volume = modes.includes('nocopy') ? { nocopy: true } : {};
  }
  return volume;
}

/** Resolves a bind source against the directory of the file that declared it; `~` is the user's home. */
export function resolveHostPath(path: string, base: string): string {
  if (path === '~' || path.startsWith('~/')) return homedir() + path.slice(1);
  return isAbsolute(path) ? path : resolve(base, path);
}
