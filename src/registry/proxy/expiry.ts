/**
 * distribution's proxy.ttl: what the pull-through cache fetched from its
 * upstream is removed from the repository it was fetched for once the TTL
 * has passed since the fetch (distribution's default 168h). A manifest goes
 * with its tags; a blob's link goes and its bytes are reclaimed by the next
 * garbage collection. The next pull fetches them again, so a moved or
 * deleted upstream image is not served for ever, and a cache that is not
 * used stops holding space. The schedule is kept in proxy/expiry.json (as
 * distribution's scheduler-state.json), so a restart does not forget it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic.js';
import type { Digest } from '../../lib/digest.js';
import { Mutex } from '../../lib/mutex.js';
import type { Registry } from '../registry.js';
import { isMissing } from '../storage/fs-util.js';

export type CachedKind = 'manifest' | 'blob';

interface Entry {
  repository: string;
  kind: CachedKind;
  digest: Digest;
  /** ms since the epoch */
  expires: number;
}

/** setTimeout holds at most ~24.8 days: wait in steps of at most an hour. */
const MAX_TIMER_MS = 3600 * 1000;

export class CacheExpiry {
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Mutex();

  private constructor(
    private readonly registry: Registry,
    private readonly path: string,
    private entries: Map<string, Entry>,
    private readonly log: (line: string) => void,
  ) {}

  static async open(registry: Registry, log: (line: string) => void): Promise<CacheExpiry> {
    const path = join(registry.layout.root, 'proxy', 'expiry.json');
    const expiry = new CacheExpiry(registry, path, new Map((await load(path)).map((e) => [keyOf(e), e])), log);
    expiry.arm();
    return expiry;
  }

  /** Content just fetched from an upstream: it goes `ttlMs` from now (0: it stays). */
  add(repository: string, kind: CachedKind, digest: Digest, ttlMs: number): void {
    if (ttlMs <= 0) return;
    const entry = { repository, kind, digest, expires: Date.now() + ttlMs };
    this.entries.set(keyOf(entry), entry);
    void this.save().then(() => this.arm());
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.close();
    if (this.entries.size === 0) return;
    // (A loop, not Math.min(...all): a large cache would overflow the argument list.)
    let soonest = Infinity;
    for (const e of this.entries.values()) soonest = Math.min(soonest, e.expires);
    this.timer = setTimeout(() => void this.expire(), Math.min(Math.max(soonest - Date.now(), 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  private async expire(): Promise<void> {
    const now = Date.now();
    for (const [key, e] of [...this.entries]) {
      if (e.expires > now) continue;
      try {
        await this.remove(e);
        this.entries.delete(key);
      } catch (err) {
        this.log(`error: pull-through cache: removing expired ${e.kind} ${e.repository}@${e.digest}: ${(err as Error).message}`);
        // Tried again at the next expiry, not in a loop.
        e.expires = now + MAX_TIMER_MS;
      }
    }
    await this.save();
    this.arm();
  }

  private async remove(e: Entry): Promise<void> {
    const { registry } = this;
    if (e.kind === 'manifest') {
      if ((await registry.repos.manifestMediaType(e.repository, e.digest)) !== undefined) await registry.removeManifest(e.repository, e.digest);
    } else {
      await registry.repos.unlinkBlob(e.repository, e.digest);
    }
    await registry.repos.removeIfEmpty(e.repository);
  }

  private save(): Promise<void> {
    return this.writes.run(() =>
      writeFileAtomic(this.path, `${JSON.stringify([...this.entries.values()])}\n`).catch((err: unknown) => this.log(`error: saving ${this.path}: ${(err as Error).message}`)),
    );
  }
}

const keyOf = (e: Pick<Entry, 'repository' | 'kind' | 'digest'>) => `${e.kind} ${e.repository}@${e.digest}`;

async function load(path: string): Promise<Entry[]> {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return Array.isArray(saved) ? (saved as Entry[]) : [];
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}
