import { readFile } from 'node:fs/promises';
import { invalid, errnoCode } from '../lib/errors.js';
import { parseJson } from '../lib/compression.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkKnownValue } from './config-values.js';

/** As dockerd: certificates default to $DOCKER_CERT_PATH, else ~/.docker. */
const DEFAULT_CERT_PATH = process.env.DOCKER_CERT_PATH || join(homedir(), '.docker');

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
  /** The default network's Linux bridge (dockerd: docker0); NO_DEFAULT_BRIDGE ("none") means no default network at all. */
  bridge: string;
  /** The default bridge's address and prefix, e.g. "172.30.0.1/16"; '' picks a free subnet. */
  bip: string;
  iptables: boolean;
  /** --ipv6: IPv6 on the default bridge, with --fixed-cidr-v6 as its subnet. */
  ipv6: boolean;
  fixedCidrV6: string;
  userlandProxy: boolean;
  defaultAddressPools: { base: string; size: number }[];
  /** --tls: TLS on tcp:// listeners. null when not given at all: plain TCP off loopback then needs an explicit --tls=false. */
  tls: boolean | null;
  /** --tlsverify: TLS, and only clients whose certificate tlscacert signed get in. */
  tlsVerify: boolean;
  tlsCaCert: string;
  tlsCert: string;
  tlsKey: string;
  /** --api-cors-header: the Access-Control-Allow-Origin value for browser clients ('' sends no CORS headers). */
  apiCorsHeader: string;
  /** Shown by /info; key=value strings. */
  labels: string[];
  /** The default log driver of containers: json-file (berth's k8s-file log with json-file's rotation options). */
  logDriver: string;
  logOpts: Record<string, string>;
  /** Ulimits for containers that set none of their own, by name (daemon.json's shape). */
  defaultUlimits: Record<string, { Name: string; Soft: number; Hard: number }>;
  /** Turn net.ipv4.ip_forward on at start (bridge networking needs it). */
  ipForward: boolean;
  defaultRuntime: string;
  runtimes: Record<string, { path: string; runtimeArgs?: string[] }>;
  /** berthd's own log lines: text (logfmt, as dockerd) or json. */
  logFormat: 'text' | 'json';
  /** Docker Hub mirrors, tried in order before it. */
  registryMirrors: string[];
  /** Registries reached over plain HTTP or unverified TLS: CIDRs and host[:port]. */
  insecureRegistries: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /**
   * berth's own: where per-registry certificates are looked up, as dockerd's
   * /etc/docker/certs.d/<host:port>/ (ca.crt, client.cert/client.key); the first
   * directory holding a registry's folder wins.
   */
  registryCertsDirs: string[];
}

/** dockerd's -b none: no default bridge network ("bridge" is then an unknown network name). */
export const NO_DEFAULT_BRIDGE = 'none';

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
  ipv6: false,
  fixedCidrV6: '',
  userlandProxy: true,
  defaultAddressPools: [],
  tls: null,
  tlsVerify: false,
  tlsCaCert: join(DEFAULT_CERT_PATH, 'ca.pem'),
  tlsCert: join(DEFAULT_CERT_PATH, 'cert.pem'),
  tlsKey: join(DEFAULT_CERT_PATH, 'key.pem'),
  apiCorsHeader: '',
  labels: [],
  logDriver: 'json-file',
  // None written into containers, as dockerd; json-file is still capped at run (see RUN_DEFAULTS in logging.ts).
  logOpts: {},
  defaultUlimits: {},
  ipForward: true,
  defaultRuntime: 'runc',
  runtimes: {},
  logFormat: 'text',
  registryMirrors: [],
  insecureRegistries: [],
  maxConcurrentDownloads: 3,
  maxConcurrentUploads: 5,
  registryCertsDirs: ['/etc/berth/certs.d', '/etc/docker/certs.d'],
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
  ipv6: 'ipv6',
  'fixed-cidr-v6': 'fixedCidrV6',
  'userland-proxy': 'userlandProxy',
  'default-address-pools': 'defaultAddressPools',
  // The old name of data-root (dockerd still reads it).
  graph: 'dataRoot',
  tls: 'tls',
  tlsverify: 'tlsVerify',
  tlscacert: 'tlsCaCert',
  tlscert: 'tlsCert',
  tlskey: 'tlsKey',
  'api-cors-header': 'apiCorsHeader',
  labels: 'labels',
  'log-driver': 'logDriver',
  'log-opts': 'logOpts',
  'default-ulimits': 'defaultUlimits',
  'ip-forward': 'ipForward',
  'default-runtime': 'defaultRuntime',
  runtimes: 'runtimes',
  'log-format': 'logFormat',
  'registry-mirrors': 'registryMirrors',
  'insecure-registries': 'insecureRegistries',
  'max-concurrent-downloads': 'maxConcurrentDownloads',
  'max-concurrent-uploads': 'maxConcurrentUploads',
  'registry-certs-dirs': 'registryCertsDirs',
};

/** Reloadable on SIGHUP, as in dockerd (of the keys berthd has). */
export const RELOADABLE: (keyof DaemonConfig)[] = ['debug', 'logLevel', 'liveRestore', 'labels', 'defaultRuntime', 'runtimes'];

/** dockerd keys that berthd knows but does not implement yet: refused by name rather than ignored. */
const KNOWN_UNSUPPORTED = [
  'authorization-plugins', 'cgroup-parent', 'dns', 'dns-opts',
  'dns-search', 'exec-opts', 'experimental', 'fixed-cidr', 'icc', 'ip', 'ip-masq',
  'mtu', 'seccomp-profile', 'selinux-enabled',
  'shutdown-timeout', 'storage-opts', 'userns-remap', 'features', 'builder', 'containerd',
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
  const known = checkKnownValue(`${path}: `, key, field, value);
  if (known !== undefined) return known;
  const want = typeof DEFAULTS[field];
  if (typeof value !== want) throw invalid(`${path}: "${key}" must be a ${want}`);
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

/** The config after SIGHUP: the reloadable settings from `next`, everything else as it was. */
export function applyReload(current: DaemonConfig, next: DaemonConfig): DaemonConfig {
  const out: Record<string, unknown> = { ...current };
  for (const field of RELOADABLE) out[field] = next[field];
  return out as unknown as DaemonConfig;
}

/** The daemon reload event's attributes, as dockerd sends them: each reloadable setting by its daemon.json name. */
export function reloadAttributes(config: DaemonConfig): Record<string, string> {
  const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  return Object.fromEntries(RELOADABLE.map((field) => [fileKeyOf(field), show(config[field])]));
}

function fileKeyOf(field: keyof DaemonConfig): string {
  return Object.entries(FILE_KEYS).find(([, f]) => f === field)?.[0] ?? field;
}

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(' ')}]` : String(value);
}
