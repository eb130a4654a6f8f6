import { readFile } from 'node:fs/promises';
import { invalid, errnoCode } from '../lib/errors.js';
import { parseJson } from '../lib/compression.js';

/** berthd's settings: dockerd's names, as flags and as daemon.json keys. */
export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  configFile: string;
  debug: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  pidfile: string;
  storageDriver: 'overlay2' | 'vfs' | '';
  group: string;
  /** Containers keep running when berthd stops (conmon holds them); false stops them first, as dockerd without it. */
  liveRestore: boolean;
  /** The default network's Linux bridge (dockerd: docker0). */
  bridge: string;
  /** The default bridge's address and prefix, e.g. "172.30.0.1/16"; '' picks a free subnet. */
  bip: string;
  iptables: boolean;
  userlandProxy: boolean;
  defaultAddressPools: { base: string; size: number }[];
}

export const DEFAULTS: DaemonConfig = {
  hosts: ['unix:///run/berth/berth.sock'],
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  configFile: '/etc/berth/daemon.json',
  debug: false,
  logLevel: 'info',
  pidfile: '/run/berth/berthd.pid',
  storageDriver: '',
  group: '',
  liveRestore: true,
  bridge: 'berth0',
  bip: '',
  iptables: true,
  userlandProxy: true,
  defaultAddressPools: [],
};

/** daemon.json keys berthd implements, mapped to config fields. */
const FILE_KEYS: Record<string, keyof DaemonConfig> = {
  hosts: 'hosts',
  'data-root': 'dataRoot',
  'exec-root': 'execRoot',
  debug: 'debug',
  'log-level': 'logLevel',
  pidfile: 'pidfile',
  'storage-driver': 'storageDriver',
  group: 'group',
  'live-restore': 'liveRestore',
  bridge: 'bridge',
  bip: 'bip',
  iptables: 'iptables',
  'userland-proxy': 'userlandProxy',
  'default-address-pools': 'defaultAddressPools',
};

/** Reloadable on SIGHUP, as in dockerd (of the keys berthd has). */
export const RELOADABLE: (keyof DaemonConfig)[] = ['debug', 'logLevel', 'liveRestore'];

/** dockerd keys that berthd knows but does not implement yet: refused by name rather than ignored. */
const KNOWN_UNSUPPORTED = [
  'authorization-plugins', 'cgroup-parent', 'default-runtime', 'dns', 'dns-opts',
  'dns-search', 'exec-opts', 'experimental', 'fixed-cidr', 'icc', 'insecure-registries', 'ip', 'ip-forward', 'ip-masq',
  'ipv6', 'labels', 'log-driver', 'log-opts', 'max-concurrent-downloads',
  'max-concurrent-uploads', 'mtu', 'registry-mirrors', 'runtimes', 'seccomp-profile', 'selinux-enabled',
  'shutdown-timeout', 'storage-opts', 'tls', 'tlscacert', 'tlscert', 'tlskey', 'tlsverify',
  'userns-remap', 'default-ulimits', 'features', 'builder', 'containerd',
];

/**
 * Reads daemon.json. As dockerd: a missing default file is fine, a missing
 * explicit one is an error, unknown keys are an error, and a key given both as
 * a flag and in the file is an error.
 */
export async function readConfigFile(path: string, explicit: boolean): Promise<Partial<DaemonConfig>> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && !explicit) return {};
    throw invalid(`unable to configure the berth daemon with file ${path}: ${(err as Error).message}`);
  }
  if (text.toString().trim() === '') return {};
  const raw = parseJson<unknown>(text, path);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`${path}: the configuration must be a JSON object`);
  const unknown: string[] = [];
  const unsupported: string[] = [];
  const out: Partial<DaemonConfig> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = FILE_KEYS[key];
    if (field) (out as Record<string, unknown>)[field] = checkValue(path, key, field, value);
    else if (KNOWN_UNSUPPORTED.includes(key)) unsupported.push(key);
    else unknown.push(key);
  }
  if (unknown.length > 0) {
    throw invalid(`the following directives don't match any configuration option: ${unknown.join(', ')}`);
  }
  if (unsupported.length > 0) {
    throw invalid(`the following directives are not supported by berthd yet: ${unsupported.join(', ')}`);
  }
  return out;
}

function checkValue(path: string, key: string, field: keyof DaemonConfig, value: unknown): unknown {
  const want = typeof DEFAULTS[field];
  if (field === 'hosts') {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(`${path}: "hosts" must be a list of strings`);
    return value;
  }
  if (field === 'defaultAddressPools') {
    const ok = Array.isArray(value) && value.every((p) => typeof p?.base === 'string' && Number.isInteger(p?.size));
    if (!ok) throw invalid(`${path}: "default-address-pools" must be a list of {"base": "CIDR", "size": N}`);
    return value;
  }
  if (typeof value !== want) throw invalid(`${path}: "${key}" must be a ${want}`);
  if (field === 'logLevel' && !['debug', 'info', 'warn', 'error', 'fatal'].includes(value as string)) {
    throw invalid(`${path}: unable to parse logging level: ${value}`);
  }
  if (field === 'storageDriver' && !['overlay2', 'vfs', ''].includes(value as string)) {
    throw invalid(`${path}: storage driver "${value}" is not supported (overlay2, vfs)`);
  }
  return value;
}

/** Merges flags over file over defaults, refusing keys given in both places (dockerd's rule). */
export function mergeConfig(flags: Partial<DaemonConfig>, file: Partial<DaemonConfig>): DaemonConfig {
  const both = Object.keys(flags).filter((k) => k !== 'configFile' && k in file) as (keyof DaemonConfig)[];
  if (both.length > 0) {
    const detail = both.map((k) => `${fileKeyOf(k)}: (from flag: ${show(flags[k])}, from file: ${show(file[k])})`).join(', ');
    throw invalid(`the following directives are specified both as a flag and in the configuration file: ${detail}`);
  }
  return { ...DEFAULTS, ...file, ...flags } as DaemonConfig;
}

function fileKeyOf(field: keyof DaemonConfig): string {
  return Object.entries(FILE_KEYS).find(([, f]) => f === field)?.[0] ?? field;
}

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(' ')}]` : String(value);
}
