import { parseArgs } from 'node:util';
import { isEngineError } from '../lib/errors.js';
import { DEFAULTS, mergeConfig, readConfigFile, type DaemonConfig } from './config.js';
import { startDaemon } from './daemon.js';
import { Logger, type Level } from './log.js';
import { BERTH_VERSION, GIT_COMMIT } from './version.js';

const USAGE = `Usage:	berthd [OPTIONS]

A Docker-compatible container engine daemon.

Options:
      --config-file string     Daemon configuration file (default "${DEFAULTS.configFile}")
  -g, --data-root string       Root directory of persistent berth state (default "${DEFAULTS.dataRoot}")
  -D, --debug                  Enable debug mode
      --exec-root string       Root directory for execution state files (default "${DEFAULTS.execRoot}")
  -G, --group string           Group for the unix socket (default: root only)
  -h, --help                   Print usage
  -H, --host list              Daemon socket(s) to connect to (default [${DEFAULTS.hosts[0]}])
  -b, --bridge string          The default network's bridge (default "berth0")
      --bip string             The default bridge's address and prefix, e.g. 172.30.0.1/16 (default: a free subnet)
      --iptables               Set up NAT, published ports and isolation with iptables (default true)
      --userland-proxy         Proxy published ports for traffic from the host's loopback (default true)
      --live-restore           Keep containers running when berthd stops (default true; --live-restore=false stops them)
  -l, --log-level string       Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string         Path to use for daemon PID file (default "${DEFAULTS.pidfile}")
  -s, --storage-driver string  Storage driver to use (overlay2, vfs; default: overlay2 when the backing filesystem allows it)
  -v, --version                Print version information and quit
`;

/** Parses berthd's flags (dockerd's names); only flags actually given appear in the result. */
export function parseDaemonFlags(argv: string[]): { flags: Partial<DaemonConfig>; help: boolean; version: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
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
      'live-restore': { type: 'string' },
      bridge: { type: 'string', short: 'b' },
      bip: { type: 'string' },
      iptables: { type: 'string' },
      'userland-proxy': { type: 'string' },
      pidfile: { type: 'string', short: 'p' },
      'storage-driver': { type: 'string', short: 's' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (positionals.length > 0) throw new Error(`berthd takes no arguments, got ${JSON.stringify(positionals[0])}`);
  const flags: Partial<DaemonConfig> = {};
  if (values['config-file'] !== undefined) flags.configFile = values['config-file'];
  const dataRoot = values['data-root'] ?? values.graph;
  if (dataRoot !== undefined) flags.dataRoot = dataRoot;
  if (values['exec-root'] !== undefined) flags.execRoot = values['exec-root'];
  if (values.debug !== undefined) flags.debug = values.debug;
  if (values.group !== undefined) flags.group = values.group;
  if (values.host !== undefined) flags.hosts = values.host;
  if (values.pidfile !== undefined) flags.pidfile = values.pidfile;
  if (values['log-level'] !== undefined) {
    if (!['debug', 'info', 'warn', 'error', 'fatal'].includes(values['log-level'])) throw new Error(`unable to parse logging level: ${values['log-level']}`);
    flags.logLevel = values['log-level'] as Level;
  }
  const liveRestore = values['live-restore'];
  if (liveRestore !== undefined) {
    if (liveRestore !== 'true' && liveRestore !== 'false') throw new Error(`invalid argument "${liveRestore}" for "--live-restore" flag: use true or false`);
    flags.liveRestore = liveRestore === 'true';
  }
  if (values.bridge !== undefined) flags.bridge = values.bridge;
  if (values.bip !== undefined) flags.bip = values.bip;
  if (values.iptables !== undefined) flags.iptables = boolFlag('iptables', values.iptables);
  if (values['userland-proxy'] !== undefined) flags.userlandProxy = boolFlag('userland-proxy', values['userland-proxy']);
  if (values['storage-driver'] !== undefined) {
    if (!['overlay2', 'vfs'].includes(values['storage-driver'])) throw new Error(`storage driver "${values['storage-driver']}" is not supported (overlay2, vfs)`);
    flags.storageDriver = values['storage-driver'] as DaemonConfig['storageDriver'];
  }
  return { flags, help: values.help ?? false, version: values.version ?? false };
}

function boolFlag(name: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new Error(`invalid argument "${value}" for "--${name}" flag: use true or false`);
  return value === 'true';
}

async function loadConfig(flags: Partial<DaemonConfig>): Promise<DaemonConfig> {
  const path = flags.configFile ?? DEFAULTS.configFile;
  const file = await readConfigFile(path, flags.configFile !== undefined);
  return { ...mergeConfig(flags, file), configFile: path };
}

async function main(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseDaemonFlags>;
  try {
    parsed = parseDaemonFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nSee 'berthd --help'.\n`);
    process.exit(125);
  }
  if (parsed.help) return void process.stdout.write(USAGE);
  if (parsed.version) return void process.stdout.write(`berthd version ${BERTH_VERSION}${GIT_COMMIT ? `, build ${GIT_COMMIT.slice(0, 7)}` : ''}\n`);
  if (process.getuid?.() !== 0) {
    process.stderr.write('berthd needs to be started with root privileges.\n');
    process.exit(1);
  }

  const log = new Logger();
  const config = await loadConfig(parsed.flags);
  log.level = config.debug ? 'debug' : config.logLevel;
  const daemon = await startDaemon(config, log);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${signal}, shutting down`);
    daemon.stop().then(() => process.exit(0), (err) => {
      log.error(`shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    loadConfig(parsed.flags).then((next) => daemon.reload(next), (err) => log.error(`reload failed: ${(err as Error).message}`));
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`berthd: ${message}\n`);
  if (!isEngineError(err)) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  process.exit(1);
});
