/**
 * The `-it` machinery of run/start/attach/exec, after docker's
 * hijackedIOStreamer: raw mode on the local terminal, stdin copied into the
 * hijacked connection through the detach-key filter (half-closed at EOF, as
 * CloseWrite does), output copied raw for a tty or demultiplexed otherwise,
 * window size pushed to the daemon at start and on SIGWINCH, and signals
 * forwarded to the container when proxying.
 */
import type { Readable, Writable } from 'node:stream';
import { demultiplex } from '../../../client/stdcopy.js';
import type { Hijacked } from '../../../client/transport.js';
import { DEFAULT_DETACH_KEYS, DetachKeyFilter, parseDetachKeys } from '../../opts/detach-keys.js';

type TtyIn = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
type TtyOut = Writable & { isTTY?: boolean; rows?: number; columns?: number };

export interface StreamOptions {
  tty: boolean;
  /** Local stdin when the remote side takes input, else undefined. */
  stdin?: TtyIn;
  stdout: TtyOut;
  stderr: Writable;
  detachKeys?: string;
}

export type StreamEnd = 'ended' | 'detached';

/** Puts a terminal stdin in raw mode; returns the undo. */
function rawMode(stdin: TtyIn | undefined, tty: boolean): () => void {
  if (!tty || !stdin?.isTTY || !stdin.setRawMode) return () => {};
  stdin.setRawMode(true);
  return () => stdin.setRawMode!(false);
}

/**
 * Copies stdin into the connection until EOF or a detach sequence. Resolves
 * 'detached' for the latter; never rejects (a closed connection just stops it).
 */
function pumpInput(stdin: TtyIn, conn: Hijacked, keys: Buffer): { done: Promise<StreamEnd>; stop(): void } {
  const filter = new DetachKeyFilter(keys);
  let finish: (end: StreamEnd) => void = () => {};
  const done = new Promise<StreamEnd>((resolve) => (finish = resolve));
  const onData = (chunk: Buffer | string) => {
    const { data, detached } = filter.filter(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    if (data.length && conn.input?.writable) conn.input.write(data);
    if (detached) finish('detached');
  };
  const onEnd = () => {
    // Half-close: the daemon closes the container's stdin, output keeps flowing.
    if (conn.input?.writable) conn.input.end();
    finish('ended');
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.resume();
  const stop = () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
  };
  return { done, stop };
}

async function pumpOutput(conn: Hijacked, options: StreamOptions): Promise<void> {
  if (options.tty) {
    for await (const chunk of conn.output) options.stdout.write(chunk as Buffer);
  } else {
    await demultiplex(conn.output, options.stdout, options.stderr);
  }
}

/** Streams a hijacked connection until the output ends or the user detaches. */
export async function streamHijacked(conn: Hijacked, options: StreamOptions): Promise<StreamEnd> {
  const restore = rawMode(options.stdin, options.tty);
  const keys = parseDetachKeys(options.detachKeys || DEFAULT_DETACH_KEYS);
  // As the docker CLI's setupInput: the escape proxy is for a tty; other stdin is sent byte for byte.
  const input = options.stdin && conn.input ? pumpInput(options.stdin, conn, options.tty ? keys : Buffer.alloc(0)) : undefined;
  const output = pumpOutput(conn, options).then((): StreamEnd => 'ended');
  try {
    const first = await Promise.race([output, input?.done.then((end) => (end === 'detached' ? end : output)) ?? output]);
    return first;
  } finally {
    input?.stop();
    restore();
    conn.socket.destroy();
  }
}

/** Sends the terminal size now and on every SIGWINCH; returns the stop function. */
export function monitorTtySize(stdout: TtyOut, resize: (height: number, width: number) => Promise<void>): () => void {
  if (!stdout.isTTY) return () => {};
  const push = () => {
    if (stdout.rows && stdout.columns) resize(stdout.rows, stdout.columns).catch(() => {});
  };
  push();
  stdout.on('resize', push);
  return () => stdout.off('resize', push);
}

/** The terminal size as [height, width] for ConsoleSize, when stdout is a terminal. */
export function consoleSize(stdout: TtyOut): [number, number] | undefined {
  return stdout.isTTY && stdout.rows && stdout.columns ? [stdout.rows, stdout.columns] : undefined;
}

/** The signals docker's ForwardAllSignals can pass on from a Node process. */
const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM'];

/** Forwards signals the CLI receives to the container; returns the stop function. */
export function proxySignals(kill: (signal: string) => Promise<void>): () => void {
  const handlers = PROXIED.map((signal) => {
    const handler = () => void kill(signal).catch(() => {});
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}
