/**
 * Moving blob bytes between files and sockets without letting memory grow
 * with the blob.
 *
 * Node's fs streams allocate a fresh buffer for every read, and freed
 * buffers are only returned when V8 next collects, which external memory
 * alone triggers late (tens of MiB later): a 200 MB push and pull through
 * fs streams peaked at 93 MB RSS, against 52 MB idle. Here a
 * download reads into two buffers it owns, in turn, and refills one only
 * once the socket has taken its bytes (the write callback), so one read
 * overlaps one send and nothing is copied or allocated per chunk. Uploads
 * are written in batches with one writev each, the socket read on while
 * batches are written (and see young-gc.ts for the buffers the HTTP parser
 * allocates).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { noteReceived } from './young-gc.js';

/** Bytes per file read when sending; large reads make few threadpool round trips. */
const SEND_CHUNK_BYTES = 1024 * 1024;
/** Bytes gathered from the socket before one writev. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/**
 * Batch writes an upload may have in flight at once. Four measured no
 * faster on a loaded 2-core machine and held 12 MB more at the peak.
 */
const WRITES_IN_FLIGHT = 1;
/** Bytes written between two background fdatasyncs of an upload (see BatchWriter). */
const WRITEBACK_BYTES = 16 * 1024 * 1024;
/** writev takes at most IOV_MAX (1024) buffers; chunked bodies can come in small pieces. */
const WRITE_BATCH_BUFFERS = 512;

/** Sends bytes [start, end] (inclusive) of a file to `out`; the caller has sent the headers. */
export async function sendFileRange(path: string, start: number, end: number, out: Writable): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const size = Math.min(SEND_CHUNK_BYTES, end - start + 1);
    const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
    const sending: Array<Promise<void> | undefined> = [undefined, undefined];
    let position = start;
    for (let turn = 0; position <= end; turn ^= 1) {
      // The buffer's last send must be done before it is read into again.
      await sending[turn];
      if (out.destroyed) throw Object.assign(new Error('client went away'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      const buffer = buffers[turn]!;
      const { bytesRead } = await fh.read(buffer, 0, Math.min(size, end - position + 1), position);
      if (bytesRead === 0) throw new Error(`${path} ended at ${position}, before byte ${end}`);
      position += bytesRead;
      sending[turn] = send(out, buffer.subarray(0, bytesRead));
      // Never left unhandled while the other buffer is being read; awaited above or below.
      sending[turn]!.catch(() => undefined);
    }
    await Promise.all(sending);
    out.end();
  } finally {
    await fh.close();
  }
}

function send(out: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Writes a stream into a file from `position` on; `each` sees every chunk
 * first, in order (the upload's hash, in the same pass as the write).
 * Returns the number of bytes written. `onWriteback` hears of each
 * background fdatasync done (see BatchWriter) with the offset it covered.
 */
export async function writeStreamAt(file: string, position: number, body: Readable, each: (chunk: Buffer) => void, onWriteback?: (syncedTo: number) => void): Promise<number> {
  const writer = new BatchWriter(await open(file, 'r+'), position, onWriteback);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      each(chunk);
      noteReceived(chunk.length);
      await writer.add(chunk);
    }
    await writer.flush();
    await writer.drain();
    return writer.position - position;
  } finally {
    await writer.close();
  }
}

/**
 * Gathers chunks into batches and writes each with one positional writev,
 * up to WRITES_IN_FLIGHT at once, the socket read on meanwhile.
 *
 * Every WRITEBACK_BYTES written, an fdatasync starts in the background (one
 * at a time; the writes never wait for it), so that the blob's fsync at
 * commit finds little left to flush: on this VM the flush of a 211 MB blob
 * took 145–250 ms of the closing PUT, the client waiting. When a background
 * sync takes longer than the client took to send the bytes behind it (a
 * disk busy with others' work), the syncs stop for this upload: they would
 * only add flushes to a queue that is already long.
 */
class BatchWriter {
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private readonly writing = new Set<Promise<void>>();
  private syncing: Promise<void> | undefined;
  private synced: number;
  private syncsPay = true;

  constructor(private readonly fh: FileHandle, public position: number, private readonly onWriteback?: (syncedTo: number) => void) {
    this.synced = position;
  }

  async add(chunk: Buffer): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= WRITE_BATCH_BYTES || this.batch.length >= WRITE_BATCH_BUFFERS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batchBytes === 0) return;
    while (this.writing.size >= WRITES_IN_FLIGHT) await Promise.race(this.writing);
    const write = writeAll(this.fh, this.batch, this.position);
    this.writing.add(write);
    // Rejections reach the caller through race() or drain(); settled writes leave the set.
    write.then(() => this.writing.delete(write), () => undefined);
    this.position += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    if (this.syncsPay && this.syncing === undefined && this.position - this.synced >= WRITEBACK_BYTES) this.startSync(write);
  }

  /** An fdatasync once `write` is done, not awaited by anything but close(). */
  private startSync(write: Promise<void>): void {
    const startedAt = this.position;
    this.synced = startedAt;
    const received = () => this.position - startedAt;
    this.syncing = write
      .then(() => this.fh.datasync())
      .then(
        () => {
          // Slower than the client: more than two intervals' bytes arrived while it ran.
          if (received() > 2 * WRITEBACK_BYTES) this.syncsPay = false;
          this.onWriteback?.(startedAt);
        },
        () => undefined, // the commit's own fsync reports a failing disk
      )
      .finally(() => (this.syncing = undefined));
  }

  /** Waits for every write; the first failure is thrown. */
  async drain(): Promise<void> {
    await Promise.all(this.writing);
  }

  /** Closes the file once nothing is in flight (a failed body must not close it under a write). */
  async close(): Promise<void> {
    await Promise.allSettled(this.writing);
    await this.syncing;
    await this.fh.close();
  }
}

/** One writev, repeated for whatever a short write left. */
async function writeAll(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, at);
    if (bytesWritten === 0) throw new Error('writev wrote nothing');
    at += bytesWritten;
    rest = dropBytes(rest, bytesWritten);
  }
}

/** The buffers without their first `n` bytes (views, not copies). */
function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  let skip = n;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (skip > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
