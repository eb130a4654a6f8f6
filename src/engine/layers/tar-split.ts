import { constants, lstatSync, readFileSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
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
  return Readable.from(assembleTar(pieces, (key, size) => readExactly(diffDir, key, size, what), diffId, what), { objectMode: false });
}

const CHUNK = 1 << 20;

/** A file's data under `root`, reached without following symlinks; exactly `size` bytes or an error. */
async function* readExactly(root: string, key: string, size: number, what: string): AsyncGenerator<Buffer> {
  const components = key.split('/');
  let parent: string | null;
  try {
    parent = await walkNoSymlinks(root, components.slice(0, -1), false);
  } catch (err) {
    if (err instanceof PathError) throw invalid(`${what}: cannot read back ${key}: ${err.message}`);
    throw err;
  }
  if (parent === null) throw invalid(`${what}: ${key} is missing from the layer's files`);
  const file = await open(join(parent, components[components.length - 1]!), constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: unknown) => {
    throw invalid(`${what}: cannot read back ${key}: ${(err as Error).message}`);
  });
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw invalid(`${what}: ${key} is shorter than the layer's tar says (${size} bytes)`);
      left -= bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    const { bytesRead } = await file.read(Buffer.alloc(1), 0, 1, null);
    if (bytesRead !== 0) throw invalid(`${what}: ${key} is longer than the layer's tar says (${size} bytes)`);
  } finally {
    await file.close();
  }
}
