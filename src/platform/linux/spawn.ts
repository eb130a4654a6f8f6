import { constants } from 'node:os';
import type { Socket } from 'node:net';
import { socketOverFd } from './fd-stream.js';
import { SPAWN_IGNORE, SPAWN_PIPE, spawnRaw, systemError } from './sys.js';

/**
 * Child processes without child_process: Node's spawn forks the daemon on the
 * main thread and blocks it until the child has exec'd, tens of milliseconds
 * on a busy host while no request moves (profile in bench/README.md). The
 * addon vforks on a thread of its own (nothing of the daemon
 * is copied) and waits for the child there.
 */

/** The child's fd i: 'ignore' (/dev/null), 'pipe' (a socket of ours at stdio[i]) or one of our fds, inherited. */
export type StdioSpec = 'ignore' | 'pipe' | number;

export interface SpawnOptions {
  /** The child's whole environment; default: ours. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio: StdioSpec[];
  /** setsid(2) in the child: its own session, as child_process's `detached`. */
  detached?: boolean;
  /** A network namespace's path (/proc/PID/ns/net, /run/netns/NAME): the child runs in it, as under `nsenter --net`. */
  netns?: string;
}

export interface ExitStatus {
  /** null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Spawned {
  /** Our end of each 'pipe' (readable and writable, as Node's), null elsewhere. */
  stdio: (Socket | null)[];
  /** Resolves when the child has ended; rejects when it could not be started (e.g. ENOENT, as Node's 'error'). */
  exit: Promise<ExitStatus>;
}

export function spawnProcess(file: string, args: string[], options: SpawnOptions): Spawned {
  const env = options.env ?? process.env;
  const envp = Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  const wanted = options.stdio.map((s) => (s === 'ignore' ? SPAWN_IGNORE : s === 'pipe' ? SPAWN_PIPE : s));
  let settle!: (errno: number, pid: number, exitCode: number, signal: number) => void;
  const exit = new Promise<ExitStatus>((resolve, reject) => {
    settle = (errno, pid, exitCode, signal) => {
      if (errno !== 0 && pid === -1) {
        reject(systemError(errno, 'open network namespace', options.netns));
      } else if (errno !== 0) {
        const err = systemError(errno, `spawn ${file}`, file);
        err.message = `spawn ${file} ${err.code}`;
        reject(err);
      } else {
        resolve({ code: exitCode >= 0 ? exitCode : null, signal: exitCode >= 0 ? null : signalName(signal) });
      }
    };
  });
  const ours = spawnRaw(file, [file, ...args], envp, options.cwd ?? null, wanted, !!options.detached, (errno, pid, code, signal) => settle(errno, pid, code, signal), options.netns ?? null);
  const stdio = ours.map((fd) => (fd < 0 ? null : socketOverFd(fd, { readable: true, writable: true })));
  return { stdio, exit };
}

function signalName(signal: number): NodeJS.Signals | null {
  for (const [name, value] of Object.entries(constants.signals)) if (value === signal) return name as NodeJS.Signals;
  return null;
}

export interface RunResult extends ExitStatus {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end with `input` on stdin and collects its output
 * (resolves once the process has ended and both outputs are closed, as
 * child_process's 'close'). Rejects only when it could not be started.
 */
export async function runCommand(file: string, args: string[], input?: string, options: Pick<SpawnOptions, 'env' | 'netns'> = {}): Promise<RunResult> {
  const child = spawnProcess(file, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  const [stdin, stdout, stderr] = child.stdio as [Socket, Socket, Socket];
  stdin.on('error', () => undefined);
  stdin.end(input ?? '');
  const [status, out, err] = await Promise.all([child.exit, collect(stdout), collect(stderr)]).finally(() => {
    for (const s of [stdin, stdout, stderr]) s.destroy();
  });
  return { ...status, stdout: out, stderr: err };
}

function collect(stream: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    // 'end', not 'close': our end is writable too (a socketpair, as Node's), so it stays open after the child's EOF.
    stream.on('end', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}
