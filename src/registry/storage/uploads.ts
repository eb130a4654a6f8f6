/**
 * Blob uploads in progress. Each lives in uploads/<uuid>/ (data + the
 * repository it belongs to) and becomes a blob only when the closing PUT's
 * digest matches what was received; a failed or interrupted chunk is cut off
 * again, so the upload stays at its last good offset and nothing partial is
 * ever visible. The running sha256 of each upload is kept in memory so the
 * closing PUT does not read the data again; after a restart it is recomputed
 * from the file.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { registryError } from '../errors.js';
import { isUploadId } from '../names.js';
import type { BlobStore } from './blobs.js';
import { writeStreamAt } from './file-streams.js';
import { isMissing, listDir, readTextIfExists } from './fs-util.js';
import type { Layout } from './layout.js';

/** distribution purges uploads older than a week; so do we, at start. */
const STALE_UPLOAD_MS = 7 * 24 * 3600 * 1000;

interface LiveUpload {
  size: number;
  /** sha256 of data[0, size); undefined after a restart until recomputed. */
  hash?: Hash;
  /** One request at a time may write to an upload. */
  busy: boolean;
}

export interface UploadStatus {
  id: string;
  /** Bytes received so far. */
  size: number;
}

/** What a PATCH or closing PUT says about the bytes it carries. */
export interface ChunkInfo {
  /** Content-Range start, when given: must equal the bytes received so far. */
  start?: number;
  /** Content-Range end (inclusive), when given. */
  end?: number;
  /** Content-Length, when given: the chunk must have exactly this many bytes. */
  length?: number;
}

export class UploadStore {
  private readonly live = new Map<string, LiveUpload>();

  constructor(private readonly layout: Layout, private readonly blobs: BlobStore) {}

  async init(): Promise<void> {
    await mkdir(this.layout.uploadsDir, { recursive: true });
    await this.purgeStale();
  }

  /**
   * Removes uploads nobody has written to for a week (abandoned pushes), as
   * distribution's upload purging does; the server runs this daily.
   */
  async purgeStale(now = Date.now()): Promise<string[]> {
    const purged: string[] = [];
    for (const id of await listDir(this.layout.uploadsDir)) {
      // The data file's mtime is the last write; a folder without one is judged by its own.
      const st = (await stat(join(this.layout.upload(id), 'data')).catch(() => undefined)) ?? (await stat(this.layout.upload(id)));
      const busy = this.live.get(id)?.busy === true;
      if (!isUploadId(id) || (!busy && now - st.mtimeMs > STALE_UPLOAD_MS)) {
        this.live.delete(id);
        await rm(this.layout.upload(id), { recursive: true, force: true });
        purged.push(id);
      }
    }
    return purged;
  }

  async start(repository: string): Promise<UploadStatus> {
    const id = randomUUID();
    const dir = this.layout.upload(id);
    await mkdir(dir);
    await writeFile(join(dir, 'data'), '');
    await writeFile(join(dir, 'repository'), repository);
    this.live.set(id, { size: 0, hash: createHash('sha256'), busy: false });
    return { id, size: 0 };
  }

  async status(repository: string, id: string): Promise<UploadStatus> {
    const upload = await this.find(repository, id);
    return { id, size: upload.size };
  }

  /** Appends one chunk; returns the new total size. */
  async append(repository: string, id: string, body: Readable, chunk: ChunkInfo): Promise<UploadStatus> {
    const upload = await this.find(repository, id);
    return this.exclusive(upload, id, () => this.write(upload, id, body, chunk));
  }

  /**
   * Closes an upload: appends the last chunk (if the body has one), checks the
   * whole against `digest`, and moves it into the blob store. A mismatch
   * discards the upload, as distribution does.
   */
  async commit(repository: string, id: string, digest: Digest, body: Readable | undefined, chunk: ChunkInfo): Promise<number> {
    const upload = await this.find(repository, id);
    return this.exclusive(upload, id, async () => {
      if (body) await this.write(upload, id, body, chunk);
      const actual = await this.digestOf(upload, id);
      if (actual !== digest) {
        await this.discard(id);
        throw registryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest, actual });
      }
      const data = join(this.layout.upload(id), 'data');
      // On disk before it becomes visible: a crash must not leave a named blob with missing bytes.
      await syncFile(data);
      await this.blobs.adopt(data, digest);
      await this.discard(id);
      return upload.size;
    });
  }

  async cancel(repository: string, id: string): Promise<void> {
    await this.find(repository, id);
    await this.discard(id);
  }

  private async find(repository: string, id: string): Promise<LiveUpload> {
    if (!isUploadId(id)) throw registryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { id });
    const owner = await readTextIfExists(join(this.layout.upload(id), 'repository'));
    if (owner !== repository) throw registryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { id });
    let upload = this.live.get(id);
    if (!upload) {
      upload = { size: (await stat(join(this.layout.upload(id), 'data'))).size, busy: false };
      this.live.set(id, upload);
    }
    return upload;
  }

  private async exclusive<T>(upload: LiveUpload, id: string, work: () => Promise<T>): Promise<T> {
    if (upload.busy) throw registryError('BLOB_UPLOAD_INVALID', 'another request is writing to this upload', { id });
    upload.busy = true;
    try {
      return await work();
    } finally {
      upload.busy = false;
    }
  }

  private async write(upload: LiveUpload, id: string, body: Readable, chunk: ChunkInfo): Promise<UploadStatus> {
    checkChunkPlacement(upload.size, chunk);
    const file = join(this.layout.upload(id), 'data');
    const before = upload.size;
    // A copy, so that a failed chunk leaves the upload's hash at its last good offset.
    const hash = upload.hash?.copy();
    let received = 0;
    try {
      received = await writeStreamAt(file, before, body, (data) => hash?.update(data));
      if (chunk.length !== undefined && received !== chunk.length) {
        throw registryError('SIZE_INVALID', `chunk has ${received} bytes, Content-Length said ${chunk.length}`);
      }
    } catch (err) {
      // Cut the partial chunk off: the upload stays at its last good offset.
      await truncate(file, before).catch(() => undefined);
      throw isMissing(err) ? registryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { id }) : err;
    }
    upload.size = before + received;
    upload.hash = hash;
    return { id, size: upload.size };
  }

  private async digestOf(upload: LiveUpload, id: string): Promise<Digest> {
    if (upload.hash) return `sha256:${upload.hash.copy().digest('hex')}`;
    const hash = createHash('sha256');
    for await (const data of createReadStream(join(this.layout.upload(id), 'data'))) hash.update(data as Buffer);
    return `sha256:${hash.digest('hex')}`;
  }

  private async discard(id: string): Promise<void> {
    this.live.delete(id);
    await rm(this.layout.upload(id), { recursive: true, force: true });
  }

  /** Uploads on disk (for the access log and tests). */
  async ids(): Promise<string[]> {
    return (await listDir(this.layout.uploadsDir)).filter(isUploadId);
  }

}

/** The spec: chunks in order, each starting at the bytes received so far, its range matching its length. */
function checkChunkPlacement(size: number, chunk: ChunkInfo): void {
  if (chunk.start === undefined) return;
  if (chunk.start !== size) {
    throw registryError('RANGE_INVALID', `chunk starts at ${chunk.start}, upload has ${size} bytes`, { size });
  }
  if (chunk.end !== undefined && chunk.length !== undefined && chunk.end - chunk.start + 1 !== chunk.length) {
    throw registryError('RANGE_INVALID', `Content-Range ${chunk.start}-${chunk.end} does not match Content-Length ${chunk.length}`, { size });
  }
}


async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
