import { readFile } from 'node:fs/promises';
import type { Digest } from '../../lib/digest.js';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { errnoCode } from '../../lib/errors.js';
import { parseJson } from '../../lib/compression.js';

/**
 * Named references (normalised strings such as "docker.io/library/busybox:latest"
 * or "…/busybox@sha256:…") to image IDs, persisted as one JSON file written atomically.
 */
export class ReferenceStore {
  private constructor(private readonly file: string, private readonly refs: Map<string, Digest>) {}

  static async open(file: string): Promise<ReferenceStore> {
    let entries: Record<string, Digest> = {};
    try {
      entries = parseJson<Record<string, Digest>>(await readFile(file), file);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    return new ReferenceStore(file, new Map(Object.entries(entries)));
  }

  get(ref: string): Digest | undefined {
    return this.refs.get(ref);
  }

  refsOf(id: Digest): string[] {
    return [...this.refs].filter(([, target]) => target === id).map(([ref]) => ref).sort();
  }

  entries(): [string, Digest][] {
    return [...this.refs];
  }

  async set(ref: string, id: Digest): Promise<void> {
    this.refs.set(ref, id);
    await this.save();
  }

  async delete(ref: string): Promise<boolean> {
    const had = this.refs.delete(ref);
    if (had) await this.save();
    return had;
  }

  private async save(): Promise<void> {
    await writeJsonAtomic(this.file, Object.fromEntries([...this.refs].sort(([a], [b]) => a.localeCompare(b))));
  }
}
