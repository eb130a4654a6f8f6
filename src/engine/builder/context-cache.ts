import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { hexOf } from '../../lib/digest.js';
import { phase } from '../../lib/phases.js';
import { holeReadStream } from '../../lib/tar/hole-reader.js';
import type { TarSyscalls } from '../../lib/tar/syscalls.js';
import { seekData, seekHole } from '../../platform/linux/sys.js';
import { unpackContext } from './context.js';
import { spoolContext } from './context-spool.js';

/**
 * Unpacked build contexts, kept by a digest of the bytes the client sent
 * (context-spool.ts).
 * A rebuild with nothing changed sends the same tar again (the CLIs write
 * names, modes and times deterministically), so the directory unpacked last
 * time is used as it is: unpacking a context of many small files is the
 * largest part of a fully cached build. A context directory is never written
 * to after it is complete (the builder hides files instead of deleting them),
 * so builds can share one. Only small contexts are kept, and only a few.
 */

const KEEP_CONTEXTS = 4;
const KEEP_BYTES_EACH = 64 * 1024 * 1024;

export interface CachedContext {
  /** The spool's key of the context's bytes (hex), or a name of its own for one too large to keep. */
  key: string;
  dir: string;
  /** Results worth keeping with the context (COPY source hashes), by key. */
  memo: Map<string, unknown>;
  release(): void;
}

interface Entry {
  dir: string;
  bytes: number;
  users: number;
  lastUsed: number;
  memo: Map<string, unknown>;
  ready: Promise<void>;
}

export class ContextCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly root: string,
    private readonly sys: Pick<TarSyscalls, 'mknod' | 'lsetxattr'>,
  ) {}

  /** Receives a context, unpacking it unless the same bytes were unpacked before. */
  async acquire(input: Readable): Promise<CachedContext> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const incoming = join(this.root, `incoming-${randomBytes(8).toString('hex')}.tar`);
    try {
      // With holes: a context may carry a sparse file's gigabytes of zeros (read back without reading them).
      const spooled = await spoolContext(input, incoming, KEEP_BYTES_EACH);
      phase('build', 'context:received');
      // A context too large to keep has no key: it is unpacked under a name of its own.
      const key = spooled.key ? hexOf(spooled.key) : `large-${randomBytes(8).toString('hex')}`;
      const entry = this.entries.get(key) ?? this.unpack(key, incoming, spooled.bytes);
      entry.users++;
      try {
        await entry.ready;
        phase('build', 'context:unpacked');
      } catch (err) {
        entry.users--;
        throw err;
      }
      entry.lastUsed = Date.now();
      let released = false;
      return {
        key,
        dir: entry.dir,
        memo: entry.memo,
        release: () => {
          if (released) return;
          released = true;
          entry.users--;
          void this.evict();
        },
      };
    } finally {
      await rm(incoming, { force: true });
    }
  }

  private unpack(key: string, tarPath: string, bytes: number): Entry {
    const dir = join(this.root, key);
    const partial = `${dir}.partial-${randomBytes(4).toString('hex')}`;
    const entry: Entry = { dir, bytes, users: 0, lastUsed: Date.now(), memo: new Map(), ready: Promise.resolve() };
    entry.ready = (async () => {
      try {
        await unpackContext(holeReadStream(tarPath, { seekData, seekHole }), partial, this.sys);
        await rename(partial, dir);
      } catch (err) {
        this.entries.delete(key);
        await rm(partial, { recursive: true, force: true });
        throw err;
      }
    })();
    this.entries.set(key, entry);
    return entry;
  }

  /** Drops unused contexts beyond the few small ones worth keeping. */
  private async evict(): Promise<void> {
    const idle = [...this.entries.entries()].filter(([, e]) => e.users === 0).sort(([, a], [, b]) => b.lastUsed - a.lastUsed);
    const drop = idle.filter(([, e], index) => index >= KEEP_CONTEXTS || e.bytes > KEEP_BYTES_EACH);
    for (const [key, entry] of drop) {
      this.entries.delete(key);
      await entry.ready.catch(() => undefined);
      // Out of the way at once, so that the same context arriving again can be unpacked at its name.
      const trash = `${entry.dir}.trash-${randomBytes(4).toString('hex')}`;
      try {
        renameSync(entry.dir, trash);
      } catch {
        continue; // never completed
      }
      await rm(trash, { recursive: true, force: true });
    }
  }
}
