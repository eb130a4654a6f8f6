/**
 * Checks of daemon.json values whose shape is more than a plain string,
 * number or boolean. Each returns the value to use, or throws an invalid
 * error that names the key; `where` prefixes it ("<file>: ").
 */
import { invalid } from '../lib/errors.js';
import { checkLogConfig, checkLogValues } from '../engine/containers/logging.js';
import type { DaemonConfig } from './config.js';

type Check = (where: string, key: string, value: unknown) => unknown;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];
/** Log drivers berth has: conmon's k8s-file log, which json-file's options (max-size, max-file) rotate. */
export const LOG_DRIVERS = ['json-file', 'k8s-file', 'local', 'none'];
const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

const stringList: Check = (where, key, value) => {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(`${where}"${key}" must be a list of strings`);
  return value;
};

const stringMap = (where: string, key: string, value: unknown): Record<string, string> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw invalid(`${where}"${key}" must be an object of strings`);
  }
  return value as Record<string, string>;
};

const oneOf = (choices: string[], what: (v: string) => string): Check => (where, key, value) => {
  if (typeof value !== 'string') throw invalid(`${where}"${key}" must be a string`);
  if (!choices.includes(value)) throw invalid(`${where}${what(value)}`);
  return value;
};

export function checkLabels(where: string, labels: string[]): string[] {
  for (const label of labels) if (!/^[^=]+=/.test(label)) throw invalid(`${where}bad attribute format: ${label}`);
  return labels;
}

/** json-file's options, checked as containers check them (here: the daemon's defaults, at start). */
export function checkLogOpts(where: string, driver: string, opts: Record<string, string>): Record<string, string> {
  try {
    checkLogConfig({ Type: driver, Config: opts });
    checkLogValues({ Type: driver, Config: opts });
  } catch (err) {
    throw invalid(`${where}${(err as Error).message}`);
  }
  return opts;
}

function checkUlimits(where: string, key: string, value: unknown): DaemonConfig['defaultUlimits'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where}"${key}" must be an object of ulimits`);
  for (const [name, limit] of Object.entries(value as Record<string, { Name?: unknown; Soft?: unknown; Hard?: unknown }>)) {
    if (!ULIMIT_NAMES.includes(name) || (limit?.Name !== undefined && limit.Name !== name)) throw invalid(`${where}invalid ulimit type: ${name}`);
    if (!Number.isInteger(limit?.Soft) || !Number.isInteger(limit?.Hard)) throw invalid(`${where}"${key}": ${name} needs integer Soft and Hard values`);
    if ((limit.Soft as number) > (limit.Hard as number)) throw invalid(`${where}ulimit soft limit must be less than or equal to hard limit: ${limit.Soft} > ${limit.Hard}`);
  }
  return Object.fromEntries(Object.entries(value as Record<string, { Soft: number; Hard: number }>).map(([name, l]) => [name, { Name: name, Soft: l.Soft, Hard: l.Hard }]));
}

/** Containers run through conmon with runc's state layout: other runtimes are refused by name rather than ignored. */
function checkRuntimes(where: string, key: string, value: unknown): DaemonConfig['runtimes'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where}"${key}" must be an object of runtimes`);
  for (const name of Object.keys(value)) {
    if (name === 'runc') throw invalid(`${where}runtime name 'runc' is reserved`);
    throw invalid(`${where}runtime ${name}: berthd runs containers with runc only; other runtimes are not supported yet`);
  }
  return {};
}

const CHECKS: Partial<Record<keyof DaemonConfig, Check>> = {
  hosts: stringList,
  registryCertsDirs: stringList,
  labels: (where, key, value) => checkLabels(where, stringList(where, key, value) as string[]),
  defaultAddressPools: (where, key, value) => {
    const ok = Array.isArray(value) && value.every((p) => typeof p?.base === 'string' && Number.isInteger(p?.size));
    if (!ok) throw invalid(`${where}"${key}" must be a list of {"base": "CIDR", "size": N}`);
    return value;
  },
  tls: (where, key, value) => {
    if (typeof value !== 'boolean') throw invalid(`${where}"${key}" must be a boolean`);
    return value;
  },
  logLevel: oneOf(LOG_LEVELS, (v) => `unable to parse logging level: ${v}`),
  logFormat: oneOf(['text', 'json'], (v) => `unsupported log format: ${v} (text, json)`),
  storageDriver: oneOf(['overlay2', 'vfs', ''], (v) => `storage driver "${v}" is not supported (overlay2, vfs)`),
  logDriver: oneOf(LOG_DRIVERS, (v) => `logging driver "${v}" is not supported by berthd (${LOG_DRIVERS.join(', ')})`),
  logOpts: stringMap,
  defaultUlimits: checkUlimits,
  runtimes: checkRuntimes,
};

/** The checked value for fields with a shape of their own; undefined for plain ones (the caller compares types). */
export function checkKnownValue(where: string, key: string, field: keyof DaemonConfig, value: unknown): unknown {
  return CHECKS[field]?.(where, key, value);
}

/** Checks across keys, once flags and file are merged (a default runtime must exist, log options fit the driver). */
export function checkMerged(config: DaemonConfig): void {
  const runtimes = ['runc', ...Object.keys(config.runtimes)];
  if (!runtimes.includes(config.defaultRuntime)) throw invalid(`default runtime ${config.defaultRuntime} does not exist (runtimes: ${runtimes.join(', ')})`);
  checkLogOpts('', config.logDriver, config.logOpts);
  if (config.tlsVerify && config.tls === false) throw invalid('conflicting options: --tls=false with --tlsverify');
}
