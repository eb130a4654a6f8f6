/**
 * The registry's settings, from (lowest to highest) defaults, a YAML file in
 * distribution's format, REGISTRY_* environment variables named as
 * distribution names them (REGISTRY_HTTP_ADDR, REGISTRY_AUTH=htpasswd,
 * REGISTRY_AUTH_HTPASSWD_PATH, …) and command-line flags. Only the keys below
 * are understood; any other key is an error rather than silently ignored.
 */
import { readFile } from 'node:fs/promises';
import { invalid } from '../lib/errors.js';

export interface ServeConfig {
  host: string;
  port: number;
  root: string;
  deleteEnabled: boolean;
  tls?: { cert: string; key: string };
  auth?: { path: string; realm: string; allowPlainHttp: boolean };
  /** --console: accounts, projects and token auth; replicationParallel: replication executions run at once. */
  console?: { adminPasswordFile?: string; tokenTtlSeconds: number; allowPlainHttp: boolean; tokenRealm?: string; tokenService?: string; replicationParallel: number };
  accessLog: boolean;
  /** proxy.remoteurl: the whole registry is a pull-through cache of this upstream. */
  proxy?: ProxyConfig;
}

export interface ProxyConfig {
  remoteUrl: string;
  username?: string;
  password?: string;
  /** How long a tag's upstream check holds before it is asked again. */
  tagTtlSeconds: number;
  /** distribution's proxy.ttl: cached content is removed this long after it was fetched (0: kept). */
  ttlSeconds: number;
}

export const DEFAULT_ROOT = '/var/lib/berth-registry';
const DEFAULT_ADDR = ':5000';
const DEFAULT_REALM = 'berth registry';
const DEFAULT_TOKEN_EXPIRY_S = 300;
export const DEFAULT_REPLICATION_PARALLEL = 4;
const MAX_REPLICATION_PARALLEL = 64;

/** Every key we understand, as distribution's dotted path, with its type. */
const KEYS = {
  version: 'string',
  'http.addr': 'string',
  'http.tls.certificate': 'string',
  'http.tls.key': 'string',
  'storage.filesystem.rootdirectory': 'string',
  'storage.delete.enabled': 'boolean',
  'auth.htpasswd.realm': 'string',
  'auth.htpasswd.path': 'string',
  /** berth's own: accept basic auth over plain HTTP from other hosts. */
  'auth.htpasswd.allowplainhttp': 'boolean',
  'log.accesslog.disabled': 'boolean',
  /** berth's own: projects, accounts and token auth (berth registry serve --console). */
  'console.enabled': 'boolean',
  'console.adminpasswordfile': 'string',
  /** Lifetime of the bearer tokens, in seconds. */
  'console.tokenexpiry': 'string',
  /** distribution's pull-through cache: the upstream and its credentials. */
  'proxy.remoteurl': 'string',
  'proxy.username': 'string',
  'proxy.password': 'string',
  /** How long cached content is kept after it was fetched: a Go duration ("168h", "90m"; "0" keeps it). */
  'proxy.ttl': 'string',
  /** berth's own: seconds before a cached tag is checked with the upstream again. */
  'proxy.tagttl': 'string',
  /** The token endpoint's public URL in challenges (default: this server's, from the request's Host). */
  'console.tokenrealm': 'string',
  /** The `service` name of challenges and tokens (default "berth-registry"). */
  'console.tokenservice': 'string',
  /** berth's own: how many replication executions run at once (Harbor's job workers; default 4). */
  'replication.parallel': 'string',
} as const;

type Key = keyof typeof KEYS;
export type Settings = Partial<Record<Key, string | boolean>>;

/** Sections that env may name as a whole to pick a driver (REGISTRY_AUTH=htpasswd). */
const SELECTORS: Record<string, string[]> = { auth: ['htpasswd'], storage: ['filesystem'] };

function isKey(key: string): key is Key {
  return key in KEYS;
}

function set(settings: Settings, key: string, value: unknown, source: string): void {
  if (!isKey(key)) throw invalid(`${source}: unknown setting ${JSON.stringify(key)}`);
  const type = KEYS[key];
  if (type === 'boolean') {
    if (typeof value === 'boolean') settings[key] = value;
    else if (value === 'true' || value === 'false') settings[key] = value === 'true';
    else throw invalid(`${source}: ${key} must be true or false, not ${JSON.stringify(value)}`);
  } else {
    if (typeof value !== 'string' && typeof value !== 'number') throw invalid(`${source}: ${key} must be a string`);
    settings[key] = String(value);
  }
}

/**
 * distribution's YAML: nested maps down to the known keys. The parser is
 * loaded only when there is a file to read: it is a large module, and
 * resident memory counts for a registry started with flags alone.
 */
export async function settingsFromYaml(text: string, source: string): Promise<Settings> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw invalid(`${source}: ${(err as Error).message}`, err);
  }
  const settings: Settings = {};
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k.toLowerCase()}` : k.toLowerCase());
    } else if (value !== null && value !== undefined) {
      set(settings, path, value, source);
    }
  };
  if (doc !== null && doc !== undefined) walk(doc, '');
  return settings;
}

/** REGISTRY_A_B_C=value sets a.b.c, as distribution's env overrides do. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const settings: Settings = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('REGISTRY_') || value === undefined) continue;
    const key = name.slice('REGISTRY_'.length).toLowerCase().split('_').join('.');
    const choices = SELECTORS[key];
    if (choices) {
      if (!choices.includes(value)) throw invalid(`${name}: only ${choices.join(', ')} is supported, not ${JSON.stringify(value)}`);
      continue;
    }
    set(settings, key, value, name);
  }
  return settings;
}

/** The YAML file (if any), overridden by env, overridden by flags. */
export async function loadSettings(configFile: string | undefined, env: NodeJS.ProcessEnv, flags: Settings): Promise<Settings> {
  const fromFile = configFile ? await settingsFromYaml(await readConfigFile(configFile), configFile) : {};
  return { ...fromFile, ...settingsFromEnv(env), ...flags };
}

/** What `serve` runs with: the merged settings, checked. */
export async function loadServeConfig(configFile: string | undefined, env: NodeJS.ProcessEnv, flags: Settings): Promise<ServeConfig> {
  return resolveConfig(await loadSettings(configFile, env, flags), env.REGISTRY_AUTH === 'htpasswd');
}

export function rootOf(settings: Settings): string {
  return String(settings['storage.filesystem.rootdirectory'] ?? DEFAULT_ROOT);
}

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(`cannot read config file ${path}: ${(err as Error).message}`, err);
  }
}

export function resolveConfig(s: Settings, authSelected = false): ServeConfig {
  const { host, port } = parseAddr(String(s['http.addr'] ?? DEFAULT_ADDR));
  const config: ServeConfig = {
    host,
    port,
    root: rootOf(s),
    deleteEnabled: s['storage.delete.enabled'] === true,
    accessLog: s['log.accesslog.disabled'] !== true,
  };
  const cert = s['http.tls.certificate'];
  const key = s['http.tls.key'];
  if ((cert === undefined) !== (key === undefined)) throw invalid('TLS needs both a certificate and a key (--tls-cert and --tls-key)');
  if (cert !== undefined && key !== undefined) config.tls = { cert: String(cert), key: String(key) };
  const path = s['auth.htpasswd.path'];
  if (path !== undefined) {
    config.auth = { path: String(path), realm: String(s['auth.htpasswd.realm'] ?? DEFAULT_REALM), allowPlainHttp: s['auth.htpasswd.allowplainhttp'] === true };
  } else if (authSelected || s['auth.htpasswd.realm'] !== undefined) {
    throw invalid('htpasswd auth needs a password file (REGISTRY_AUTH_HTPASSWD_PATH, auth.htpasswd.path or --htpasswd)');
  }
  const proxy = proxyConfig(s);
  if (proxy) config.proxy = proxy;
  if (s['console.enabled'] === true) config.console = consoleConfig(s, config);
  else if (CONSOLE_ONLY.some((k) => s[k] !== undefined)) throw invalid('--admin-password-file, --token-expiry, --token-realm, --token-service and --replication-parallel need --console');
  return config;
}

function consoleConfig(s: Settings, config: ServeConfig): NonNullable<ServeConfig['console']> {
  if (config.auth) throw invalid('--console brings its own accounts and token auth: it cannot be combined with htpasswd');
  const expiry = String(s['console.tokenexpiry'] ?? DEFAULT_TOKEN_EXPIRY_S);
  if (!/^\d{1,7}$/.test(expiry) || Number(expiry) < 1) throw invalid(`invalid token expiry ${JSON.stringify(expiry)}: a number of seconds`);
  const file = s['console.adminpasswordfile'];
  const parallel = String(s['replication.parallel'] ?? DEFAULT_REPLICATION_PARALLEL);
  if (!/^\d{1,3}$/.test(parallel) || Number(parallel) < 1 || Number(parallel) > MAX_REPLICATION_PARALLEL) {
    throw invalid(`invalid replication.parallel ${JSON.stringify(parallel)}: a number of executions from 1 to ${MAX_REPLICATION_PARALLEL}`);
  }
  return {
    adminPasswordFile: file === undefined ? undefined : String(file),
    tokenTtlSeconds: Number(expiry),
    replicationParallel: Number(parallel),
    allowPlainHttp: s['auth.htpasswd.allowplainhttp'] === true,
    ...optional('tokenRealm', tokenRealm(s['console.tokenrealm'])),
    ...optional('tokenService', tokenService(s['console.tokenservice'])),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

const CONSOLE_ONLY: Key[] = ['console.adminpasswordfile', 'console.tokenexpiry', 'console.tokenrealm', 'console.tokenservice', 'replication.parallel'];

/** An absolute http(s) URL: clients fetch tokens from it as it is written. */
function tokenRealm(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || /["\\\s]/.test(text)) throw invalid(`invalid token realm ${JSON.stringify(text)}: an http(s) URL such as https://registry.example.com/service/token`);
  return text;
}

/** Goes into a quoted challenge parameter and the tokens' audience: printable, no quotes. */
function tokenService(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,253}$/.test(text)) throw invalid(`invalid token service ${JSON.stringify(text)}: printable characters without quotes, spaces or backslashes`);
  return text;
}

export const DEFAULT_TAG_TTL_S = 60;
/** distribution's default proxy.ttl, 168h (a week). */
export const DEFAULT_PROXY_TTL_S = 168 * 3600;
const DURATION_UNITS_S: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** A Go duration of whole hours, minutes and seconds ("168h", "1h30m", "45s", "0") in seconds. */
export function parseDurationSeconds(text: string, key: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+)([hms])/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== text) throw invalid(`invalid ${key} ${JSON.stringify(text)}: a duration such as 168h, 90m or 30s`);
  return parts.reduce((total, m) => total + Number(m[1]) * DURATION_UNITS_S[m[2]!]!, 0);
}

function proxyConfig(s: Settings): ProxyConfig | undefined {
  const url = s['proxy.remoteurl'];
  if (url === undefined) {
    if (['proxy.username', 'proxy.password', 'proxy.tagttl', 'proxy.ttl'].some((k) => s[k as Key] !== undefined)) throw invalid('proxy settings need proxy.remoteurl');
    return undefined;
  }
  if (!/^https?:\/\/[^/]+\/?$/.test(String(url))) throw invalid(`invalid proxy.remoteurl ${JSON.stringify(url)}: expected http(s)://host[:port]`);
  const ttl = String(s['proxy.tagttl'] ?? DEFAULT_TAG_TTL_S);
  if (!/^\d{1,7}$/.test(ttl)) throw invalid(`invalid proxy.tagttl ${JSON.stringify(ttl)}: a number of seconds`);
  const optional = (key: 'proxy.username' | 'proxy.password') => (s[key] === undefined ? undefined : String(s[key]));
  const ttlSeconds = s['proxy.ttl'] === undefined ? DEFAULT_PROXY_TTL_S : parseDurationSeconds(String(s['proxy.ttl']), 'proxy.ttl');
  return { remoteUrl: String(url), username: optional('proxy.username'), password: optional('proxy.password'), tagTtlSeconds: Number(ttl), ttlSeconds };
}

/** ":5000" (all addresses), "127.0.0.1:5000", "[::1]:5000", "localhost:0" (any free port). */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = addr.match(/^(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(\d{1,5})$/);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw invalid(`invalid listen address ${JSON.stringify(addr)}: expected [host]:port`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port };
}
