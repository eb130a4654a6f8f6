/**
 * The berth CLI's warm pool: keeps a few Node workers (worker.ts) that have
 * loaded the CLI bundle and wait on one unix socket, so a command from the
 * launcher (native/berth-launch.c) skips Node's start. Each worker runs one
 * command and exits; the pool starts a replacement at once. The pool itself
 * never accepts: it holds the listening socket and hands it to its workers.
 *
 * One pool per user and installation: the launcher names the socket after
 * the installation's root, in a directory only the user can enter. A second
 * pool started at the same time finds the lock taken and leaves. A worker
 * that finds the installation rebuilt under it makes the pool hand over to a
 * new pool (started here, it waits for the lock) and exit; so does a pool
 * whose workers cannot start, and one idle for BERTH_POOL_IDLE_SECONDS (600).
 *
 *   usage: node dist/src/cli-pool/pool.js SOCKET ROOT [PREDECESSOR_PID]
 *   (started by berth-launch; with the pid, by the pool it replaces)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unixListen } from '../platform/linux/sys.js';
import { installStamp } from './stamp.js';

const [socketPath, root, predecessorArg] = process.argv.slice(2);
const lockPath = socketPath.replace(/\.sock$/, '.lock');
const here = dirname(fileURLToPath(import.meta.url));
/** Two: a command and the next one right after it both find a worker ready. */
const SIZE = Math.max(1, Number(process.env.BERTH_POOL_SIZE) || 2);
const IDLE_MS = Math.max(1, Number(process.env.BERTH_POOL_IDLE_SECONDS) || 600) * 1000;
/** The longest a taken worker's replacement waits for its command to end (`logs -f`, `run -it` go on). */
const REPLACE_LATEST_MS = Math.max(0, Number(process.env.BERTH_POOL_REPLACE_MS) || 1000);
/** Workers that die before they are ready, in a row: the installation is broken, the launcher falls back to Node. */
const MAX_FAILED_STARTS = 3;
/** How long a successor waits for the pool it replaces to let go of the lock. */
const HANDOVER_MS = 10_000;

type Worker = { child: ChildProcess; state: 'starting' | 'ready' | 'taken' };

const workers = new Set<Worker>();
const stamp = currentStamp();
let listenFd = -1;
let socketIno = 0;
let failedStarts = 0;
let idleTimer: NodeJS.Timeout | undefined;
let stopping = false;

function log(text: string): void {
  try {
    writeSync(2, `${new Date().toISOString()} berth pool ${process.pid}: ${text}\n`);
  } catch {
    // No log to write to.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock file holds the pool's pid; one left by a dead pool is taken over.
 * A live holder means another pool serves already (launchers that found no
 * socket while it started): this one leaves, unless it is that pool's
 * successor (`predecessor`), which waits for it to go.
 */
async function takeLock(predecessor: number | undefined): Promise<boolean> {
  const deadline = Date.now() + HANDOVER_MS;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(lockPath, 'utf8').trim());
    } catch {
      continue; // Removed meanwhile: try again.
    }
    if (!holder || !alive(holder)) {
      rmSync(lockPath, { force: true });
    } else if (holder !== predecessor || Date.now() > deadline) {
      return false;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function waitingWorkers(): number {
  return [...workers].filter((w) => w.state !== 'taken').length;
}

function fill(): void {
  for (let waiting = waitingWorkers(); waiting < SIZE && !stopping; waiting++) startWorker();
}

/**
 * Replaces a worker that took a command: at once when no other worker is
 * ready or starting, else once the command has ended (its worker exits; see
 * startWorker) or REPLACE_LATEST_MS have passed. Starting Node is ~150 ms of
 * CPU, which on a two-core host slowed the very command that set it off
 * (`run --rm` 20–40 ms longer), while the worker still waiting serves the
 * next command meanwhile.
 */
function replace(taken: Worker): void {
  if (waitingWorkers() === 0) return fill();
  const timer = setTimeout(fill, REPLACE_LATEST_MS);
  taken.child.once('exit', () => clearTimeout(timer));
}

function startWorker(): void {
  const child = spawn(process.execPath, [join(here, 'worker.js'), root, '4'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc', listenFd],
  });
  const worker: Worker = { child, state: 'starting' };
  workers.add(worker);
  child.on('message', (msg: { type?: string }) => {
    if (msg.type === 'ready') {
      worker.state = 'ready';
      failedStarts = 0;
    } else if (msg.type === 'taken') {
      worker.state = 'taken';
      resetIdle();
      // Rebuilt since this pool started: the new pool starts new workers (and runs the new pool code).
      if (currentStamp() !== stamp) handOver();
      else replace(worker);
    } else if (msg.type === 'stale') {
      handOver();
    }
  });
  child.on('exit', (code, signal) => {
    workers.delete(worker);
    if (worker.state === 'starting' && !stopping) {
      log(`a worker exited before it was ready (${signal ?? code})`);
      if (++failedStarts >= MAX_FAILED_STARTS) return stop('workers cannot start');
    }
    fill();
  });
}

function currentStamp(): string {
  try {
    return installStamp(root);
  } catch {
    return ''; // Mid-rebuild: a file is missing; the next command checks again.
  }
}

function resetIdle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => stop('idle'), IDLE_MS);
}

/** The installation changed: a new pool, on the new code, takes over once this one is gone. */
function handOver(): void {
  if (stopping) return;
  const successor = spawn(process.execPath, [join(here, 'pool.js'), socketPath, root, String(process.pid)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  successor.unref();
  stop('the installation changed');
}

function stop(why: string): void {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${why}`);
  try {
    // Only our socket: a successor binds its own once it holds the lock, after this.
    if (statSync(socketPath).ino === socketIno) rmSync(socketPath, { force: true });
  } catch {
    // Already gone.
  }
  if (listenFd >= 0) closeSync(listenFd);
  for (const worker of workers) if (worker.state !== 'taken') worker.child.kill('SIGTERM');
  rmSync(lockPath, { force: true });
  process.exit(0);
}

async function main(): Promise<void> {
  if (!(await takeLock(predecessorArg ? Number(predecessorArg) : undefined))) return log('another pool holds the lock');
  rmSync(socketPath, { force: true });
  listenFd = unixListen(socketPath, 128);
  socketIno = statSync(socketPath).ino;
  log(`serving ${root} on ${socketPath}`);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  resetIdle();
  fill();
}

main().catch((err: unknown) => {
  log(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
  rmSync(lockPath, { force: true });
  process.exit(1);
});
