/**
 * The blob store: content-addressed files shared by every repository. A blob
 * appears only by rename of a complete, verified file, so readers never see a
 * partial one; which repositories may serve it is recorded separately
 * (repositories.ts).
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { isHex64, sha256, type Digest } from '../../lib/digest.js';
import { syncDir } from '../../lib/atomic.js';
import { sendFileRange } from './file-streams.js';
import { listDir, removeFile, sizeOf } from './fs-util.js';
import type { Layout } from './layout.js';

export class BlobStore {
  constructor(private readonly layout: Layout) {}

  async init(): Promise<void> {
    await mkdir(this.layout.blobsDir, { recursive: true });
  }

  /** The blob's size, or undefined when it is not stored. */
  size(digest: Digest): Promise<number | undefined> {
    return sizeOf(this.layout.blob(digest));
  }

  /** Sends bytes [start, end] (inclusive) of a blob and ends `out`; the caller has checked that it exists. */
  send(digest: Digest, start: number, end: number, out: Writable): Promise<void> {
    return sendFileRange(this.layout.blob(digest), start, end, out);
  }

  read(digest: Digest): Promise<Buffer> {
    return readFile(this.layout.blob(digest));
  }

  /**
   * Moves a complete file, already verified to hash to `digest`, into the
   * store. The file must be on the same filesystem (uploads live under the
   * root). When the blob is already stored the file is simply dropped.
   */
  async adopt(file: string, digest: Digest): Promise<void> {
    if ((await this.size(digest)) !== undefined) {
      await unlink(file);
      return;
    }
    await rename(file, this.layout.blob(digest));
    await syncDir(this.layout.blobsDir);
  }

  /** Stores bytes held in memory (manifests), verified by construction. */
  async putBytes(bytes: Uint8Array): Promise<Digest> {
    const digest = sha256(bytes);
    if ((await this.size(digest)) !== undefined) return digest;
    const tmp = join(this.layout.blobsDir, `.tmp-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.adopt(tmp, digest);
    return digest;
  }

  /** Every stored blob's digest (for gc). */
  async list(): Promise<Digest[]> {
    return (await listDir(this.layout.blobsDir)).filter(isHex64).map((hex) => `sha256:${hex}` as Digest);
  }

  delete(digest: Digest): Promise<boolean> {
    return removeFile(this.layout.blob(digest));
  }

  /** Leftovers of putBytes interrupted by a crash: never visible, removed at start. */
  async removeTemporaries(): Promise<void> {
    for (const name of await listDir(this.layout.blobsDir)) {
      if (name.startsWith('.tmp-')) await removeFile(join(this.layout.blobsDir, name));
    }
  }
}
