import { closeSync, constants, fstatSync, lstatSync, openSync, read, readFileSync, readSync } from 'node:fs';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { errnoCode, invalid } from '../../lib/errors.js';
import { PathError, walkNoSymlinks } from '../../lib/safe-path.js';
import { assembleTar, decodeSplit, encodeSplit, TarSplitScanner, type FileRecord } from '../../lib/tar/split.js';

/**
 * A layer keeps its tar only as tar-split metadata (lib/tar/split.ts) beside
 * its extracted files: `<layer>/tar-split`. The recorder follows one
 * extraction: the scanner cuts the stream, and the extractor says where each
 * regular file's data went (place) and when something it wrote is about to be
 * replaced or removed by a later entry of the same tar (displace): that data
 * can no longer be read back from the tree, so it is kept inline instead.
 */

export const TAR_SPLIT_FILE = 'tar-split';

export class SplitRecorder {
  readonly scanner = new TarSplitScanner();
  /** Placed records by key, and every directory above a placed key (so a replaced directory is cheap to check). */
  private readonly placed = new Map<string, FileRecord>();
  private readonly placedDirs = new Set<string>();

  constructor(private readonly dest: string) {}

  /** Entry `index` (its data) was written as a regular file at `key`. */
  place(index: number, key: string): void {
    const record = this.record(index);
    if (!record) return; // no data, or kept raw (sparse)
    record.key = key;
    this.placed.set(key, record);
    for (let slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1)) this.placedDirs.add(key.slice(0, slash));
  }

  /** Entry `index`'s data is not written anywhere (e.g. a whiteout with content): keep it. */
  async capture(index: number, body: AsyncIterable<Buffer>): Promise<void> {
    const record = this.record(index);
    const chunks: Buffer[] = [];
    for await (const chunk of body) if (record) chunks.push(chunk);
    if (record) record.inline = Buffer.concat(chunks);
  }

  /** `key` (and, if `subtree`, what is below it) is about to be replaced or removed. */
  displace(key: string, subtree: boolean): void {
    this.keepInline(key);
    if (!subtree || !this.placedDirs.has(key)) return;
    const prefix = `${key}/`;
    for (const placed of [...this.placed.keys()]) if (placed.startsWith(prefix)) this.keepInline(placed);
  }

  /** The encoded metadata, once the whole tar went through the scanner. */
  async finish(): Promise<{ bytes: Buffer; tarSize: number }> {
    return encodeSplit(this.scanner.end());
  }

  /** The scanner runs ahead of the extractor, so an entry's record exists by the time it is asked for. */
  private record(index: number): FileRecord | undefined {
    return this.scanner.files.get(index);
  }

  private keepInline(key: string): void {
    const record = this.placed.get(key);
    if (!record) return;
    this.placed.delete(key);
    const path = join(this.dest, key);
    // Synchronous, and before the caller removes it; rare (a tar that writes a path twice).
    record.inline = lstatSync(path).isFile() ? readFileSync(path) : Buffer.alloc(0);
    delete record.key;
  }
}

export async function writeTarSplit(layerDir: string, recorder: SplitRecorder): Promise<number> {
  const { bytes, tarSize } = await recorder.finish();
  await writeFile(join(layerDir, TAR_SPLIT_FILE), bytes);
  return tarSize;
}

/** The layer's tar regenerated from its files, or null for a layer made before tar-split (no metadata). */
export async function regenerateTar(layerDir: string, diffDir: string, diffId: Digest): Promise<Readable | null> {
  let stored: Buffer;
  try {
    stored = await readFile(join(layerDir, TAR_SPLIT_FILE));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
  const pieces = await decodeSplit(stored);
  const what = `layer ${diffId}`;
  const files = new TreeReader(diffDir, what);
  return Readable.from(assembleTar(pieces, (key, size) => files.read(key, size), diffId, what), { objectMode: false });
}

const CHUNK = 1 << 20;

/**
 * Reads files of a layer's tree back, never through a symlink: each directory
 * on the way is checked once per regeneration (most files share them), and a
 * file is opened with O_NOFOLLOW. Small files are read synchronously: a layer
 * has thousands, and a thread-pool round trip per syscall cost more than the read.
 */
class TreeReader {
  private readonly checked = new Map<string, string | null>();

  constructor(private readonly root: string, private readonly what: string) {}

  async *read(key: string, size: number): AsyncGenerator<Buffer> {
    const slash = key.lastIndexOf('/');
    const parent = await this.dir(slash < 0 ? '' : key.slice(0, slash));
    if (parent === null) throw invalid(`${this.what}: ${key} is missing from the layer's files`);
    const path = join(parent, key.slice(slash + 1));
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      throw invalid(`${this.what}: cannot read back ${key}: ${(err as Error).message}`);
    }
    try {
      if (fstatSync(fd).size !== size) throw invalid(`${this.what}: ${key} is not the ${size} bytes the layer's tar says`);
      if (size <= SYNC_LIMIT) {
        const buf = Buffer.allocUnsafe(size);
        if (size > 0 && readSync(fd, buf, 0, size, 0) !== size) throw invalid(`${this.what}: ${key} changed while read`);
        yield buf;
        return;
      }
      yield* readLarge(fd, size, () => invalid(`${this.what}: ${key} changed while read`));
    } finally {
      closeSync(fd);
    }
  }

  private async dir(key: string): Promise<string | null> {
    const known = this.checked.get(key);
    if (known !== undefined) return known;
    let dir: string | null;
    try {
      dir = await walkNoSymlinks(this.root, key === '' ? [] : key.split('/'), false);
    } catch (err) {
      if (err instanceof PathError) throw invalid(`${this.what}: cannot read back ${key}: ${err.message}`);
      throw err;
    }
    this.checked.set(key, dir);
    return dir;
  }
}

const SYNC_LIMIT = 256 << 10;
const readAsync = promisify(read);

async function* readLarge(fd: number, size: number, changed: () => Error): AsyncGenerator<Buffer> {
  for (let position = 0; position < size; ) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
    const { bytesRead } = await readAsync(fd, buf, 0, buf.length, position);
    if (bytesRead === 0) throw changed();
    position += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}
