/**
 * Private daemons for benchmarks: each gets its own socket, data root and exec
 * root in a fresh temp dir, so a benchmark never touches a daemon someone else
 * runs. Both dockerd and berthd take Docker's flags. Whatever happens (error,
 * Ctrl-C), stop() or the registered cleanup kills them, unmounts and deletes the dir.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAborting, registerCleanup } from './cleanup.js';
import { isAlive, readPidFile, removeTree, run, sleep, stopPid } from './proc.js';
import type { Row } from '../types.js';

export interface Daemon {
  subject: string;
  /** The daemon's stdout and stderr. */
  logPath: string;
  /** For `docker -H`. */
  host: string;
  /** The temp dir holding data root, exec root, socket and log. */
  dir: string;
  stop(): Promise<void>;
}

export interface DaemonSpec {
  subject: string;
  /** Why this daemon cannot run here, or undefined if it can. */
  unavailable(): string | undefined;
  /** The command line, given the daemon's directories. */
  command(dirs: DaemonDirs): { file: string; args: string[] };
  /** Extra environment variables for the daemon. */
  env?: Record<string, string>;
  /** Pid files of helper processes the daemon starts and that may outlive it a moment. */
  helperPidFiles?(dirs: DaemonDirs): string[];
  /** Undoes what the daemon leaves on the host by design (a bridge, iptables chains), once it has stopped. */
  afterStop?(): Promise<void>;
}

export interface DaemonDirs {
  dataRoot: string;
  execRoot: string;
  socket: string;
  pidFile: string;
}

const STARTUP_TIMEOUT_MS = 60_000;

export function dockerdSpec(): DaemonSpec {
  const binary = '/usr/sbin/dockerd';
  return {
    subject: 'dockerd',
    unavailable: () => (existsSync(binary) ? undefined : `${binary} is not installed`),
    command: (d) => ({
      file: binary,
      args: [
        '--data-root', d.dataRoot, '--exec-root', d.execRoot, '--pidfile', d.pidFile, '-H', `unix://${d.socket}`,
        // No bridge and no iptables: stay clear of any other daemon's network.
        '--bridge', 'none', '--iptables=false', '--ip-masq=false',
      ],
    }),
    helperPidFiles: (d) => [join(d.execRoot, 'containerd', 'containerd.pid')],
  };
}

/** BENCH_BRIDGE and BENCH_BIP let several benches run at once on one host, each with its own bridge. */
const BENCH_BRIDGE = process.env.BENCH_BRIDGE || 'brbench0';
const BENCH_BIP = process.env.BENCH_BIP || '172.30.249.1/24';

/** A /24 `offset` above BENCH_BIP's (172.30.249.1/24, 1 → 172.30.250.0/24): for a bench's own networks, clear of other benches' bridges. */
export function benchSubnet(offset: number): string {
  const [a, b, c] = BENCH_BIP.split('/')[0]!.split('.').map(Number) as [number, number, number];
  return `${a}.${b}.${(c + offset) % 256}.0/24`;
}

/** berthd names its iptables chains after its bridge (see chainPrefixFor in src/daemon/daemon.ts). */
async function removeBridgeAndChains(bridge: string): Promise<void> {
  await run('ip', ['link', 'del', bridge]).catch(() => undefined);
  const prefix = `B-${bridge.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12)}`;
  for (const table of ['filter', 'nat']) {
    const rules = (await run('iptables', ['-t', table, '-S'])).split('\n');
    for (const rule of rules.filter((r) => r.startsWith('-A ') && r.includes(prefix) && !r.split(' ')[1]!.startsWith(prefix))) {
      await run('iptables', ['-t', table, ...rule.replace(/^-A /, '-D ').split(' ')]).catch(() => undefined);
    }
    const chains = rules.filter((r) => r.startsWith(`-N ${prefix}`)).map((r) => r.slice(3));
    for (const chain of chains) await run('iptables', ['-t', table, '-F', chain]).catch(() => undefined);
    for (const chain of chains) await run('iptables', ['-t', table, '-X', chain]).catch(() => undefined);
  }
}

/** `env`: e.g. BERTH_PHASES=1 to have berthd log its phase timings. */
export function berthdSpec(root: string, env?: Record<string, string>): DaemonSpec {
  const entry = join(root, 'bin', 'berthd');
  return {
    subject: 'berth',
    ...(env ? { env } : {}),
    unavailable: () => (existsSync(entry) ? undefined : `${entry} does not exist yet`),
    command: (d) => ({
      file: process.execPath,
      args: [entry, '--data-root', d.dataRoot, '--exec-root', d.execRoot, '--pidfile', d.pidFile, '-H', `unix://${d.socket}`,
        // Its own bridge and subnet: never the host's berth0, and removed afterwards.
        '--bridge', BENCH_BRIDGE, '--bip', BENCH_BIP],
    }),
    afterStop: () => removeBridgeAndChains(BENCH_BRIDGE),
  };
}

/** Starts the daemon and waits until `docker version` answers through its socket. */
export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  if (isAborting()) throw new Error('aborting');
  const dir = await mkdtemp(join(tmpdir(), `berth-bench-${spec.subject}-`));
  const dirs: DaemonDirs = {
    dataRoot: join(dir, 'data'),
    execRoot: join(dir, 'exec'),
    socket: join(dir, 'daemon.sock'),
    pidFile: join(dir, 'daemon.pid'),
  };
  const logPath = join(dir, 'daemon.log');
  const { file, args } = spec.command(dirs);
  const log = openSync(logPath, 'a');
  const child = spawn(file, args, { stdio: ['ignore', log, log], env: { ...process.env, ...spec.env } });
  closeSync(log);
  child.on('error', () => undefined); // reported through the readiness check below

  const stopAndRemove = async () => {
    const helpers = await Promise.all((spec.helperPidFiles?.(dirs) ?? []).map(readPidFile));
    if (child.pid !== undefined) await stopPid(child.pid);
    for (const pid of helpers) if (pid !== undefined) await stopPid(pid);
    await spec.afterStop?.().catch(() => undefined);
    await removeTree(dir);
  };
  const unregister = registerCleanup(`${spec.subject} (pid ${child.pid}, files in ${dir})`, stopAndRemove);
  const daemon: Daemon = {
    subject: spec.subject,
    logPath,
    host: `unix://${dirs.socket}`,
    dir,
    stop: async () => {
      unregister();
      await stopAndRemove();
    },
  };
  try {
    await waitUntilReady(daemon.host, () => child.exitCode === null && child.pid !== undefined && isAlive(child.pid));
  } catch (err) {
    const tail = readFileSync(logPath, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).slice(-4).join(' | ');
    await daemon.stop();
    throw new Error(`${spec.subject} did not start: ${(err as Error).message}; log: ${tail}`);
  }
  return daemon;
}

async function waitUntilReady(host: string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (isAborting()) throw new Error('aborting');
    if (!alive()) throw new Error('it exited');
    try {
      await run('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}']);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`no answer within ${STARTUP_TIMEOUT_MS / 1000} s (${(err as Error).message})`);
    }
    await sleep(250);
  }
}

/**
 * Runs one subject's benches on its own daemon: started here, stopped after
 * `measure`, whatever happens. When the daemon is unavailable, will not
 * start, or `measure` fails, every bench named gets a row saying why.
 */
export async function onSubjectDaemon(
  spec: DaemonSpec,
  benches: readonly string[],
  log: (message: string) => void,
  measure: (daemon: Daemon) => Promise<Row[]>,
): Promise<Row[]> {
  const rowsSaying = (note: string) => benches.map((bench) => ({ bench, subject: spec.subject, median_ms: null, runs: 0, note }));
  const unavailable = spec.unavailable();
  if (unavailable !== undefined) return rowsSaying(`skipped: ${unavailable}`);
  let daemon: Daemon;
  try {
    log(`starting ${spec.subject}…`);
    daemon = await startDaemon(spec);
  } catch (err) {
    return rowsSaying(`skipped: ${(err as Error).message}`);
  }
  try {
    return await measure(daemon);
  } catch (err) {
    return rowsSaying(`failed: ${(err as Error).message.slice(0, 200)}`);
  } finally {
    log(`stopping ${spec.subject}…`);
    await daemon.stop();
  }
}
