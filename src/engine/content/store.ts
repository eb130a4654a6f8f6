import { mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { DigestingStream, hexOf, isHex64, parseDigest, type Digest } from '../../lib/digest.js';
import { errnoCode, invalid, notFound } from '../../lib/errors.js';
import { syncDir } from '../../lib/atomic.js';
import { holeReadStream } from '../../lib/tar/hole-reader.js';
import { holeWriteStream } from '../../lib/tar/hole-writer.js';
import * as sys from '../../platform/linux/sys.js';
import type { ContentStore } from './types.js';

/**
 * Blobs on disk at <root>/blobs/sha256/<hex>. Every write goes to an ingest
 * file first and is renamed into place only once its digest (and size, when
 * known) is verified, so a crash mid-write never leaves a corrupt blob; the
 * ingest directory is emptied when the store opens.
 */
export class FsContentStore implements ContentStore {
  private readonly blobDir: string;
  private readonly ingestDir: string;

  private constructor(root: string) {
    this.blobDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
  }

  static async open(root: string): Promise<FsContentStore> {
    const store = new FsContentStore(root);
    await mkdir(store.blobDir, { recursive: true });
    await rm(store.ingestDir, { recursive: true, force: true });
    await mkdir(store.ingestDir, { recursive: true });
    return store;
  }

  path(digest: Digest): string {
    return join(this.blobDir, hexOf(parseDigest(digest)));
  }

  async write(data: AsyncIterable<Uint8Array> | Uint8Array, expected?: Digest, expectedSize?: number): Promise<{ digest: Digest; size: number }> {
    if (expected !== undefined) parseDigest(expected);
    const ingest = join(this.ingestDir, randomBytes(12).toString('hex'));
    const hasher = new DigestingStream();
    try {
      // Any async-iterable source will do (tar-stream's entries are streamx streams, not Node's).
      const source = data instanceof Uint8Array ? Readable.from([Buffer.from(data)]) : data;
      // Zero blocks become holes: a layer with a huge sparse file must not take its size on disk.
      await pipeline(source, hasher, holeWriteStream(ingest, 0o644, { sync: true }));
      const digest = hasher.digest();
      if (expectedSize !== undefined && hasher.bytes !== expectedSize) {
        throw invalid(`size mismatch for ${expected ?? digest}: expected ${expectedSize} bytes, got ${hasher.bytes}`);
      }
      if (expected !== undefined && digest !== expected) {
        throw invalid(`digest mismatch: expected ${expected}, got ${digest}`);
      }
      await rename(ingest, this.path(digest));
      await syncDir(this.blobDir);
      return { digest, size: hasher.bytes };
    } finally {
      await unlink(ingest).catch(() => undefined);
    }
  }

  async has(digest: Digest): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  async size(digest: Digest): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (err) {
      throw this.mapMissing(err, digest);
    }
  }

  async read(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      throw this.mapMissing(err, digest);
    }
  }

  /** A layer blob with a sparse file's holes is read without reading them (see holeReadStream). */
  open(digest: Digest): Readable {
    return holeReadStream(this.path(digest), sys);
  }

  async delete(digest: Digest): Promise<void> {
    await unlink(this.path(digest)).catch((err) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
  }

  async list(): Promise<Digest[]> {
    const names = await readdir(this.blobDir);
    return names.filter(isHex64).map((hex) => `sha256:${hex}` as Digest);
  }

  private mapMissing(err: unknown, digest: Digest): unknown {
    return errnoCode(err) === 'ENOENT' ? notFound(`content ${digest}: not found`, err) : err;
  }
}
