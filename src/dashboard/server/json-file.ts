/**
 * A JSON document on disk (users, sessions, hosts): read once at start, then
 * rewritten whole and atomically on each change, one write at a time, so a
 * crash leaves either the old or the new file, never half of one. 0600:
 * these files hold password hashes and session digests.
 */
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { errnoCode } from '../../lib/errors.js';

export class JsonFile<T> {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** The stored value, or `fallback` when the file does not exist yet. */
  async load(fallback: T): Promise<T> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as T;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return fallback;
      throw err;
    }
  }

  /** Writes `value`; writes are serialised so an older value never lands after a newer one. */
  save(value: T): Promise<void> {
    const text = structuredClone(value);
    const next = this.queue.then(() => writeJsonAtomic(this.path, text, 0o600));
    this.queue = next.catch(() => undefined);
    return next;
  }
}
