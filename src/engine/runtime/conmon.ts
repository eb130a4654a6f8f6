import type { Readable, Writable } from 'node:stream';
import { EngineError } from '../../lib/errors.js';
import { spawnProcess, type StdioSpec } from '../../platform/linux/spawn.js';

/**
 * Starting conmon. conmon double-forks (the process we spawn exits at once,
 * after writing the monitor's pid to --conmon-pidfile) and calls setsid, so the
 * monitor is not our child and outlives berthd. It runs `runc create` (or
 * `runc exec --detach`) itself: one spawn from berthd per container.
 *
 * conmon reports over the "sync pipe" (fd 3, named in _OCI_SYNCPIPE) as JSON
 * lines: {"data": <pid>} once the container exists, or {"data": <negative>,
 * "message": "<runc's stderr>"} when the runtime failed; for exec a second
 * line carries the exit code. With --exec-attach it also uses
 * _OCI_ATTACHPIPE (it says when its attach socket listens) and
 * _OCI_STARTPIPE (it waits for our go before running the process).
 */

export interface ConmonOptions {
  binary: string;
  /** Everything after the binary; built by the runtime. */
  args: string[];
  /** conmon's working directory: it writes its "oom" marker file there. */
  cwd: string;
  /** Names the failing step in errors ("OCI runtime create failed: …"). */
  verb: 'create' | 'exec';
  /** Exec with --exec-attach: also open the attach and start pipes. */
  execAttach?: boolean;
  /**
   * conmon's own stdin, stdout and stderr (default: none, and stderr read for
   * its error messages). With --log-path passthrough these are the process's.
   */
  stdio?: [number | 'ignore', number, number];
}

export interface ConmonHandle {
  /** Resolves with the first sync message's data (the container or exec process pid). */
  pid: Promise<number>;
  /** With execAttach: resolves when conmon's attach socket is listening. */
  attachReady: Promise<void>;
  /** With execAttach: tells conmon to run the process (after we attached). */
  start(): void;
  /** Stops reading the pipes (conmon keeps running; later writes just fail quietly). */
  release(): void;
  /** Settles when the process we spawned has ended: by then the monitor's pid is in --conmon-pidfile. */
  exited: Promise<void>;
}

// fds in the child: 3 sync, 4 attach, 5 start.
const SYNC_FD = 3;
const ATTACH_FD = 4;
const START_FD = 5;

export function startConmon(o: ConmonOptions): ConmonHandle {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: String(SYNC_FD) };
  const stdio: StdioSpec[] = [...(o.stdio ?? (['ignore', 'ignore', 'pipe'] as const)), 'pipe'];
  if (o.execAttach) {
    env._OCI_ATTACHPIPE = String(ATTACH_FD);
    env._OCI_STARTPIPE = String(START_FD);
    stdio.push('pipe', 'pipe');
  }
  const child = spawnProcess(o.binary, o.args, { cwd: o.cwd, env, stdio, detached: true });
  // What the process we spawned said when it ended (it exits at once after forking the monitor), for errors.
  let ended = 'unknown';
  child.exit.then(
    (status) => (ended = status.code === null ? `signal ${status.signal}` : String(status.code)),
    (err: Error) => (ended = err.message),
  );
  const pipes = child.stdio as (Readable | Writable | null)[];
  const stderr = collect(pipes[2] as Readable | null);
  const sync = pipes[SYNC_FD] as Readable;
  const failure = (why: string) => new EngineError('internal', `conmon: ${why}${stderr.text() ? `: ${stderr.text().trim()}` : ''}`);
  const exitCode = () => ended;

  const pid = firstMessage(sync, exitCode, failure).then((msg) => {
    if (msg.data < 0 || !Number.isInteger(msg.data)) throw new EngineError('internal', runtimeFailure(o.verb, msg.message));
    return msg.data;
  });
  const attachReady = o.execAttach ? firstMessage(pipes[ATTACH_FD] as Readable, exitCode, failure).then(() => undefined) : Promise.resolve();
  attachReady.catch(() => undefined);
  const startPipe = o.execAttach ? (pipes[START_FD] as Writable) : null;
  // conmon reads the start pipe once before it forks (so a parent can set up cgroups); send that go at once.
  startPipe?.write('0');
  return {
    pid,
    exited: child.exit.then(() => undefined, () => undefined),
    attachReady,
    start: () => startPipe?.end('0'),
    release: () => {
      for (const s of pipes) s?.destroy();
    },
  };
}

interface SyncMessage {
  data: number;
  message?: string;
}

/** Reads the first JSON line; rejects if the pipe closes first (conmon died or failed early). */
function firstMessage(pipe: Readable, exitCode: () => string, failure: (why: string) => Error): Promise<SyncMessage> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      cleanup();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as SyncMessage);
      } catch {
        reject(failure(`unreadable sync message ${JSON.stringify(buf.slice(0, nl))}`));
      }
    };
    const onEnd = () => {
      cleanup();
      // Give conmon's stderr a moment to arrive so the error says why.
      setTimeout(() => reject(failure(`exited without reporting (exit code ${exitCode()})`)), 20);
    };
    const cleanup = () => {
      pipe.off('data', onData);
      pipe.off('end', onEnd);
      pipe.off('close', onEnd);
    };
    pipe.on('data', onData);
    pipe.once('end', onEnd);
    pipe.once('close', onEnd);
    pipe.on('error', () => undefined);
  });
}

/** runc's stderr as conmon relays it ("… level=error msg=\"…\"") → the message alone. */
export function runtimeFailure(verb: string, message: string | undefined): string {
  const text = message ?? 'the OCI runtime failed';
  const msgs = [...text.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
  return `OCI runtime ${verb} failed: ${msgs.length > 0 ? msgs.join('; ') : text.trim()}`;
}

function collect(stream: Readable | null): { text(): string } {
  let text = '';
  stream?.on('data', (c: Buffer) => {
    if (text.length < 8192) text += c.toString('utf8');
  });
  stream?.on('error', () => undefined);
  return { text: () => text };
}
