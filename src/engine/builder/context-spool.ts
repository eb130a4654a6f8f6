import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { consumeFlowing } from '../../lib/streams.js';
import { isZero } from '../../lib/tar/zeros.js';

/**
 * Receives a build context into a file in one pass over its bytes, as cheap
 * as the socket allows: the docker CLI sends a sparse file's zeros in full
 * (8 GiB of them for an 8 GiB disk image), so per byte there is one compare
 * with zeros and nothing else.
 *
 * - The body is consumed in flowing mode (consumeFlowing): the socket is
 *   paused only while writes are behind, not once per piece.
 * - The stream is cut into BLOCKs counted from its start (pieces are
 *   referenced, never copied); an all-zero block is neither written (the file
 *   gets a hole) nor hashed (the key gets a marker), a data block is both.
 * - The key (ContextCache's name for the context) is only worth having for a
 *   context small enough to keep: beyond `keyLimit` bytes nothing is hashed
 *   and the key is null.
 *
 * The key of the same bytes is the same however they are cut into pieces; it
 * names a context inside berthd only, so it need not be the tar's sha256.
 */
const BLOCK = 64 * 1024;
const ZERO_BLOCK = Buffer.from([0]);
const DATA_BLOCK = Buffer.from([1]);
/** Written data waiting for the disk beyond this pauses the socket. */
const MAX_QUEUED = 16 << 20;

export interface Spooled {
  /** null when the context was larger than the key limit. */
  key: Digest | null;
  bytes: number;
}

export async function spoolContext(input: Readable, path: string, keyLimit: number): Promise<Spooled> {
  const opening = open(path, 'w', 0o600);
  opening.catch(() => undefined); // seen by the writes (or close) that wait for it
  const spool = new Spool(new Writes(opening), keyLimit);
  try {
    await consumeFlowing(input, (chunk) => spool.add(chunk));
    return await spool.end();
  } finally {
    await spool.writes.close();
  }
}

class Spool {
  private hash: Hash | null = createHash('sha256');
  private bytes = 0;
  /** The pieces of the block being filled, and whether all of them were zeros. */
  private pieces: Buffer[] = [];
  private filled = 0;
  private zero = true;

  constructor(
    readonly writes: Writes,
    private readonly keyLimit: number,
  ) {}

  /** A promise when the writes are behind: the input waits for it. */
  add(chunk: Buffer): Promise<void> | undefined {
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(chunk.length - at, BLOCK - this.filled);
      const piece = at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take);
      if (this.zero && !isZero(piece)) this.zero = false;
      this.pieces.push(piece);
      this.filled += take;
      at += take;
      if (this.filled === BLOCK) this.block();
    }
    return this.writes.backlog();
  }

  async end(): Promise<Spooled> {
    if (this.filled > 0) {
      this.zero = false; // the last, partial block is hashed as data
      this.block();
    }
    await this.writes.finish(this.bytes);
    return { key: this.hash ? `sha256:${this.hash.digest('hex')}` : null, bytes: this.bytes };
  }

  private block(): void {
    if (this.hash && this.bytes + this.filled > this.keyLimit) this.hash = null;
    if (this.zero) {
      this.hash?.update(ZERO_BLOCK);
    } else {
      this.hash?.update(DATA_BLOCK);
      for (const piece of this.pieces) this.hash?.update(piece);
      this.writes.add(this.bytes, this.pieces, this.filled);
    }
    this.bytes += this.filled;
    this.pieces = [];
    this.filled = 0;
    this.zero = true;
  }
}

/** Data blocks to write at their offsets: contiguous ones in one writev, one write in flight. */
class Writes {
  private queue: { at: number; pieces: Buffer[]; length: number }[] = [];
  private queued = 0;
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  /** Resolved when the queue is down to half of MAX_QUEUED (or a write failed). */
  private room: { promise: Promise<void>; resolve(): void } | null = null;

  constructor(private readonly file: Promise<FileHandle>) {}

  add(at: number, pieces: Buffer[], length: number): void {
    const last = this.queue[this.queue.length - 1];
    if (last && last.at + last.length === at && last.pieces.length < 512) {
      last.pieces.push(...pieces);
      last.length += length;
    } else this.queue.push({ at, pieces, length });
    this.queued += length;
    this.running ??= this.drain();
  }

  /** Throws a failed write's error; a promise while too much waits for the disk. */
  backlog(): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (this.queued <= MAX_QUEUED) return undefined;
    if (!this.room) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.room = { promise, resolve };
    }
    return this.room.promise.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  /** Waits for the writes; a file that ends in zeros gets its size from truncate. */
  async finish(size: number): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
    await (await this.file).truncate(size);
  }

  /** Once no write is in flight. */
  async close(): Promise<void> {
    this.queue = [];
    while (this.running) await this.running;
    await (await this.file.catch(() => null))?.close();
  }

  private async drain(): Promise<void> {
    try {
      const file = await this.file;
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const { bytesWritten } = await file.writev(next.pieces, next.at);
        // libuv retries short writes itself: a short one here is a full disk.
        if (bytesWritten !== next.length) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        this.queued -= next.length;
        if (this.queued <= MAX_QUEUED / 2) this.wake();
      }
    } catch (err) {
      this.failure = err as Error;
      this.queue = [];
      this.wake();
    } finally {
      this.running = null;
    }
  }

  private wake(): void {
    this.room?.resolve();
    this.room = null;
  }
}
