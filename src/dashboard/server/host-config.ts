/**
 * Host entries: where an engine is (DOCKER_HOST syntax) and the TLS files to
 * reach it, from `--hosts FILE` (YAML) or added in the UI (hosts.json).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { parseHost, type TlsOptions } from '../../client/index.js';
import { invalid } from '../../lib/errors.js';

export interface HostConfig {
  name: string;
  host: string;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TLS_KEYS = ['tlscacert', 'tlscert', 'tlskey'] as const;

/** Checks one entry (from the file or a request) and keeps only the known keys. */
export function checkHostConfig(value: unknown, where = 'host'): HostConfig {
  if (typeof value !== 'object' || value === null) throw invalid(`${where}: expected a mapping with name and host`);
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string' || !NAME.test(v.name)) throw invalid(`${where}: name must be 1-64 letters, digits or ._- and start with a letter or digit`);
  if (typeof v.host !== 'string' || v.host === '') throw invalid(`${where} ${v.name}: host is required (as in DOCKER_HOST)`);
  const config: HostConfig = { name: v.name, host: v.host };
  for (const key of TLS_KEYS) {
    if (v[key] === undefined || v[key] === null || v[key] === '') continue;
    if (typeof v[key] !== 'string') throw invalid(`${where} ${v.name}: ${key} must be a file path`);
    config[key] = v[key] as string;
  }
  parseHost(config.host, tlsOf(config) !== undefined);
  if ((config.tlscert === undefined) !== (config.tlskey === undefined)) throw invalid(`${where} ${v.name}: tlscert and tlskey go together`);
  return config;
}

/** TLS for an entry: verified against tlscacert when given; any TLS file (or https://) turns TLS on, as docker's flags do. */
export function tlsOf(config: HostConfig): TlsOptions | undefined {
  if (!config.tlscacert && !config.tlscert && !config.host.startsWith('https://')) return undefined;
  return { verify: Boolean(config.tlscacert), caFile: config.tlscacert, certFile: config.tlscert, keyFile: config.tlskey };
}

/** Reads `--hosts FILE`: a YAML list of entries (or a mapping with a `hosts` list). */
export async function loadHostsFile(path: string): Promise<HostConfig[]> {
  const doc = parse(await readFile(path, 'utf8')) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { hosts?: unknown } | null)?.hosts;
  if (!Array.isArray(list)) throw invalid(`${path}: expected a YAML list of hosts (name, host, tlscacert, tlscert, tlskey)`);
  const hosts = list.map((entry, i) => checkHostConfig(entry, `${path}: entry ${i + 1}`));
  const names = new Set<string>();
  for (const h of hosts) {
    if (names.has(h.name)) throw invalid(`${path}: host ${h.name} is listed twice`);
    names.add(h.name);
  }
  return hosts;
}
