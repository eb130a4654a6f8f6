import { ftruncateSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { isZero } from './zeros.js';

/**
 * Writes a new (empty) file, leaving holes where whole blocks of zeros would
 * go: a sparse file, from a sparse tar entry or from one that carries its
 * zeros, takes no more disk than its data. Blocks are counted from the
 * file's start, so a hole is only left where the filesystem can keep one.
 */
export class HoleWriter {
  size = 0;

  constructor(private readonly file: FileHandle) {}

  async write(chunk: Buffer): Promise<void> {
    const start = this.size;
    this.size += chunk.length;
    for (const [from, to] of dataRuns(chunk, start)) await this.file.write(chunk, from, to - from, start + from);
  }

  /** A file that ends in a hole gets its size from truncate. */
  async finish(): Promise<void> {
    await this.file.truncate(this.size);
  }
}

/** HoleWriter with blocking calls, for a caller that runs in a worker thread. */
export class SyncHoleWriter {
  size = 0;

  constructor(private readonly fd: number) {}

  write(chunk: Buffer): void {
    const start = this.size;
    this.size += chunk.length;
    for (const [from, to] of dataRuns(chunk, start)) writeSync(this.fd, chunk, from, to - from, start + from);
  }

  finish(): void {
    ftruncateSync(this.fd, this.size);
  }
}

/**
 * The parts [from, to) of `chunk`, written at file offset `start`, that are
 * not whole zero blocks. Blocks are counted from the file's start; pieces of
 * blocks at the chunk's edges are skipped too when zero, since the file is
 * new and a skipped zero reads back as zero.
 */
function dataRuns(chunk: Buffer, start: number): [number, number][] {
  if (isZero(chunk)) return []; // holes from a sparse entry, or a run of zeros
  const runs: [number, number][] = [];
  let pending: number | undefined; // start (in chunk) of data not written yet
  for (let at = 0; at < chunk.length; ) {
    const end = Math.min(chunk.length, at + HOLE_BLOCK - ((start + at) % HOLE_BLOCK));
    const zero = isZero(chunk.subarray(at, end));
    if (zero && pending !== undefined) {
      runs.push([pending, at]);
      pending = undefined;
    } else if (!zero && pending === undefined) pending = at;
    at = end;
  }
  if (pending !== undefined) runs.push([pending, chunk.length]);
  return runs;
}

/** The filesystem block: zero runs this long and aligned become holes. */
const HOLE_BLOCK = 4096;

/**
 * A file written as a stream, with holes for its zero blocks: the build
 * context as it arrives (the docker CLI sends a sparse file's zeros), a
 * layer blob holding one. With `sync`, the data is on disk when it finishes.
 */
export function holeWriteStream(path: string, mode: number, options: { sync?: boolean } = {}): Writable {
  let file: FileHandle | undefined;
  let writer: HoleWriter | undefined;
  return new Writable({
    async construct(callback) {
      try {
        file = await open(path, 'w', mode);
        writer = new HoleWriter(file);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    write(chunk: Buffer, _encoding, callback) {
      writer!.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      const done = writer!.finish().then(() => (options.sync ? file!.sync() : undefined));
      done.then(() => callback(), callback);
    },
    destroy(err, callback) {
      if (!file) return callback(err);
      file.close().then(() => callback(err), () => callback(err));
    },
  });
}
