/** berthd's command line: dockerd's flag names, turned into the config fields they set. */
import { parseArgs } from 'node:util';
import { parseUlimit } from '../cli/opts/container.js';
import { checkLabels, checkLogOpts, LOG_DRIVERS } from './config-values.js';
import { DEFAULTS, type DaemonConfig } from './config.js';
import type { Level } from './log.js';

export const USAGE = `Usage:	berthd [OPTIONS]

A Docker-compatible container engine daemon.

Options:
      --add-runtime runtime        Register an additional runtime (not supported yet: berthd runs containers with runc)
      --api-cors-header string     Set CORS headers in the Engine API
      --api-enable-cors            Enable CORS headers for any origin (old flag; --api-cors-header sets the origin)
  -b, --bridge string              The default network's bridge; "none": no default network (default "berth0")
      --bip string                 The default bridge's address and prefix, e.g. 172.30.0.1/16 (default: a free subnet)
      --config-file string         Daemon configuration file (default "${DEFAULTS.configFile}")
  -g, --data-root string           Root directory of persistent berth state (default "${DEFAULTS.dataRoot}")
  -D, --debug                      Enable debug mode
      --default-runtime string     Default OCI runtime for containers (default "runc")
      --default-ulimit ulimit      Default ulimits for containers (default [])
      --exec-root string           Root directory for execution state files (default "${DEFAULTS.execRoot}")
  -G, --group string               Group for the unix socket (default: root only)
  -h, --help                       Print usage
  -H, --host list                  Daemon socket(s) to connect to (default [${DEFAULTS.hosts[0]}])
      --fixed-cidr-v6 string       IPv6 subnet of the default bridge, e.g. fd00:db8:1::/64 (with --ipv6)
      --ip-forward                 Enable net.ipv4.ip_forward (default true)
      --ipv6                       Enable IPv6 networking on the default bridge
      --iptables                   Set up NAT, published ports and isolation with iptables (default true)
      --label list                 Set key=value labels to the daemon
      --live-restore               Keep containers running when berthd stops (default true; --live-restore=false stops them)
      --log-driver string          Default driver for container logs (default "json-file")
      --log-format string          Set the logging format ("text"|"json") (default "text")
  -l, --log-level string           Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
      --log-opt map                Default log driver options for containers (default map[max-file:3 max-size:10m])
  -p, --pidfile string             Path to use for daemon PID file (default "${DEFAULTS.pidfile}")
      --registry-certs-dir list    Where registries' certificates are, as <dir>/<host:port>/ca.crt, client.cert,
                                   client.key (default [${DEFAULTS.registryCertsDirs.join(' ')}])
  -s, --storage-driver string      Storage driver to use (overlay2, vfs; default: overlay2 when the backing filesystem allows it)
      --tls                        Use TLS; implied by --tlsverify
      --tlscacert string           Trust certs signed only by this CA (default "${DEFAULTS.tlsCaCert}")
      --tlscert string             Path to TLS certificate file (default "${DEFAULTS.tlsCert}")
      --tlskey string              Path to TLS key file (default "${DEFAULTS.tlsKey}")
      --tlsverify                  Use TLS and verify the remote
      --userland-proxy             Proxy published ports for traffic from the host's loopback (default true)
      --validate                   Validate daemon configuration and exit
  -v, --version                    Print version information and quit
`;

/** Boolean flags that also take =true/=false (pflag's bools): parseArgs has no such type, so they are read here. */
const BOOL_FLAGS: Record<string, keyof DaemonConfig> = {
  tls: 'tls',
  tlsverify: 'tlsVerify',
  'live-restore': 'liveRestore',
  iptables: 'iptables',
  'userland-proxy': 'userlandProxy',
  'ip-forward': 'ipForward',
  ipv6: 'ipv6',
};

export interface ParsedFlags {
  flags: Partial<DaemonConfig>;
  help: boolean;
  version: boolean;
  validate: boolean;
}

/** Parses berthd's flags (dockerd's names); only flags actually given appear in the result. */
export function parseDaemonFlags(argv: string[]): ParsedFlags {
  const { rest, bools } = takeBoolFlags(argv);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      'config-file': { type: 'string' },
      'data-root': { type: 'string', short: 'g' },
      graph: { type: 'string' },
      debug: { type: 'boolean', short: 'D' },
      'exec-root': { type: 'string' },
      group: { type: 'string', short: 'G' },
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string', short: 'H', multiple: true },
      'log-level': { type: 'string', short: 'l' },
      'log-format': { type: 'string' },
      bridge: { type: 'string', short: 'b' },
      bip: { type: 'string' },
      'fixed-cidr-v6': { type: 'string' },
      pidfile: { type: 'string', short: 'p' },
      'registry-certs-dir': { type: 'string', multiple: true },
      'storage-driver': { type: 'string', short: 's' },
      tlscacert: { type: 'string' },
      tlscert: { type: 'string' },
      tlskey: { type: 'string' },
      'api-cors-header': { type: 'string' },
      'api-enable-cors': { type: 'boolean' },
      label: { type: 'string', multiple: true },
      'log-driver': { type: 'string' },
      'log-opt': { type: 'string', multiple: true },
      'default-ulimit': { type: 'string', multiple: true },
      'default-runtime': { type: 'string' },
      'add-runtime': { type: 'string', multiple: true },
      validate: { type: 'boolean' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (positionals.length > 0) throw new Error(`berthd takes no arguments, got ${JSON.stringify(positionals[0])}`);
  const flags: Partial<DaemonConfig> = { ...bools };
  const set = <K extends keyof DaemonConfig>(field: K, value: DaemonConfig[K] | undefined) => {
    if (value !== undefined) flags[field] = value;
  };
  set('configFile', values['config-file']);
  set('dataRoot', values['data-root'] ?? values.graph);
  set('execRoot', values['exec-root']);
  set('debug', values.debug);
  set('group', values.group);
  set('hosts', values.host);
  set('pidfile', values.pidfile);
  set('registryCertsDirs', values['registry-certs-dir']);
  set('bridge', values.bridge);
  set('bip', values.bip);
  set('fixedCidrV6', values['fixed-cidr-v6']);
  set('tlsCaCert', values.tlscacert);
  set('tlsCert', values.tlscert);
  set('tlsKey', values.tlskey);
  // The seed notes' --api-enable-cors (dockerd's old flag): CORS for any origin unless --api-cors-header names one.
  set('apiCorsHeader', values['api-cors-header'] ?? (values['api-enable-cors'] ? '*' : undefined));
  set('defaultRuntime', values['default-runtime']);
  set('logLevel', oneOf('log-level', values['log-level'], ['debug', 'info', 'warn', 'error', 'fatal'], (v) => `unable to parse logging level: ${v}`) as Level | undefined);
  set('logFormat', oneOf('log-format', values['log-format'], ['text', 'json'], (v) => `unsupported log format: ${v}`) as DaemonConfig['logFormat'] | undefined);
  set('storageDriver', oneOf('storage-driver', values['storage-driver'], ['overlay2', 'vfs'], (v) => `storage driver "${v}" is not supported (overlay2, vfs)`) as DaemonConfig['storageDriver'] | undefined);
  set('logDriver', oneOf('log-driver', values['log-driver'], LOG_DRIVERS, (v) => `logging driver "${v}" is not supported by berthd (${LOG_DRIVERS.join(', ')})`));
  if (values.label) set('labels', checkLabels('', values.label));
  if (values['log-opt']) set('logOpts', checkLogOpts('', values['log-driver'] ?? 'json-file', keyValues('log-opt', values['log-opt'])));
  if (values['default-ulimit']) set('defaultUlimits', Object.fromEntries(values['default-ulimit'].map((u) => parseUlimit(u)).map((u) => [u.Name, u])));
  if (values['add-runtime']) throw new Error(`invalid argument "${values['add-runtime'][0]}" for "--add-runtime" flag: berthd runs containers with runc only; other runtimes are not supported yet`);
  return { flags, help: values.help ?? false, version: values.version ?? false, validate: values.validate ?? false };
}

function oneOf(flag: string, value: string | undefined, choices: string[], message: (v: string) => string): string | undefined {
  if (value !== undefined && !choices.includes(value)) throw new Error(`invalid argument "${value}" for "--${flag}" flag: ${message(value)}`);
  return value;
}

function keyValues(flag: string, items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`invalid argument "${item}" for "--${flag}" flag: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Takes `--name` and `--name=true|false` of the boolean flags out of argv. */
function takeBoolFlags(argv: string[]): { rest: string[]; bools: Partial<DaemonConfig> } {
  const rest: string[] = [];
  const bools: Record<string, boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const field = m ? BOOL_FLAGS[m[1]!] : undefined;
    if (!m || !field) {
      rest.push(arg);
      continue;
    }
    const value = m[2] ?? 'true';
    if (value !== 'true' && value !== 'false') throw new Error(`invalid argument "${value}" for "--${m[1]}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
    bools[field] = value === 'true';
  }
  return { rest, bools: bools as Partial<DaemonConfig> };
}
