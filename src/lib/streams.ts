/**
 * Error and close handling for the streams and sockets one request owns.
 *
 * A stream that emits 'error' with no listener takes the whole process down.
 * Every socket and stream berthd hands to a client (hijacked attach and exec
 * connections, response bodies it pipes into, request bodies it reads) goes
 * through these helpers, so that a client that resets, half-closes or stops
 * reading ends its own request only: the streams are destroyed, their fds and
 * mounts released (by whoever listens for 'close'), and the error is logged
 * at debug, as dockerd logs a vanished client.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream';
import { finished } from 'node:stream/promises';

type AnyStream = Readable | Writable | Duplex;
export type DebugLog = (line: string) => void;

/** Socket errors that only mean "the peer went away": not worth more than a debug line. */
const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export function isPeerGone(err: unknown): boolean {
  return PEER_GONE.has((err as { code?: string } | null)?.code ?? '');
}

/**
 * Gives `stream` an error listener that destroys it (and so fires its
 * 'close', on which owners release what they hold) and logs at debug.
 * Idempotent: guarding a stream twice adds one listener only.
 */
export function guardStream(stream: AnyStream, what: string, debug?: DebugLog): void {
  const marked = stream as AnyStream & { [GUARDED]?: true };
  if (marked[GUARDED]) return;
  marked[GUARDED] = true;
  stream.on('error', (err: Error) => {
    debug?.(`${what}: ${(err as { code?: string }).code ?? err.message}: ${err.message}`);
    stream.destroy();
  });
}
const GUARDED = Symbol('berth.guarded');

/**
 * stream.pipeline that never throws and never leaves an 'error' unhandled:
 * on an error or early close at either end both ends are destroyed. Resolves
 * with the error (undefined when everything was copied and the destination
 * finished), so the caller decides whether it matters.
 */
export function pipeSafely(source: Readable, destination: Writable, what: string, debug?: DebugLog): Promise<Error | undefined> {
  return new Promise((resolve) => {
    pipeline(source, destination, (err) => {
      if (err) debug?.(`${what}: ${err.message}`);
      resolve(err ?? undefined);
    });
  });
}

/**
 * Writes with backpressure: resolves true once `chunk` is written or the
 * buffer has drained, false at once when the destination is gone (closed,
 * destroyed or errored), so writers loop `while (await writeAll(…))` and a
 * client that stops reading holds the writer, not the daemon's memory.
 */
export function writeAll(destination: Writable, chunk: Buffer | string): Promise<boolean> {
  if (destination.destroyed || destination.writableEnded) return Promise.resolve(false);
  destination.write(chunk);
  return drained(destination);
}

/**
 * Resolves true when `destination` can take more (at once if its buffer is
 * below its high-water mark), false when it is gone: for writers that write
 * through something else (a message framer) and only need to wait.
 */
export function drained(destination: Writable): Promise<boolean> {
  if (destination.destroyed || destination.writableEnded) return Promise.resolve(false);
  if (!destination.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      destination.off('drain', onDrain);
      destination.off('close', onClose);
      destination.off('error', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    destination.on('drain', onDrain);
    destination.on('close', onClose);
    destination.on('error', onClose);
  });
}

/**
 * Reads `input` to its end in flowing mode, `each` seeing every chunk in
 * order; when `each` returns a promise (its consumer is behind) the input is
 * paused until it settles. For large request bodies: `for await` and
 * pipelines read through the stream's 16 KiB buffer, which every 64 KiB piece
 * from the HTTP parser overflows, so they pause and resume the socket once
 * per piece (an event-loop turn each); flowing mode pauses only on demand.
 * Rejects with the input's error, or the first error of `each`.
 */
export async function consumeFlowing(input: Readable, each: (chunk: Buffer) => Promise<void> | void): Promise<void> {
  // Watched from the start, before any await of the caller's: an error is never unheard.
  const ended = finished(input, { writable: false });
  let waiting: Promise<void> | null = null;
  let failure: Error | null = null;
  const fail = (err: unknown) => {
    failure ??= err instanceof Error ? err : new Error(String(err));
    input.destroy(failure);
  };
  const onData = (chunk: Buffer) => {
    let result: Promise<void> | void;
    try {
      result = each(chunk);
    } catch (err) {
      return fail(err);
    }
    if (!result) return;
    input.pause();
    const settled: Promise<void> = result.then(() => {
      if (waiting !== settled) return;
      waiting = null;
      if (!input.destroyed) input.resume();
    }, fail);
    waiting = settled;
  };
  input.on('data', onData);
  try {
    await ended.catch((err: Error) => {
      throw failure ?? err;
    });
    await waiting;
    if (failure) throw failure;
  } finally {
    input.off('data', onData);
  }
}
