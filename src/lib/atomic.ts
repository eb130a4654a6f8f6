import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicOptions {
  /**
   * false: skip both fsyncs, for state that means nothing after a power loss
   * anyway (e.g. a running container's network sandbox: the netns and the
   * processes are gone too). Readers still never see a half-written file, and a
   * berthd crash loses nothing (the page cache outlives the process).
   */
  durable?: boolean;
}

/**
 * Writes a file so that readers see either the old or the new content, never a
 * half-written one: write a temp file beside it, fsync, rename over, fsync dir.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, o: AtomicOptions = {}): Promise<void> {
  const durable = o.durable ?? true;
  if (!durable) return writeUnsynced(path, data, mode);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (durable) await syncDir(dir);
}

/**
 * Without fsyncs, nothing here waits for the disk: a small file is written into
 * the page cache and renamed at once on the calling thread, which beats five round
 * trips through libuv's thread pool on a loaded host (a state save per start, stop, exit).
 */
function writeUnsynced(path: string, data: string | Uint8Array, mode: number): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, data, { mode });
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(path: string, value: unknown, mode = 0o644, o: AtomicOptions = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), mode, o);
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
