import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { hexOf, type Digest } from '../../lib/digest.js';
import { errnoCode } from '../../lib/errors.js';
import { Mutex } from '../../lib/mutex.js';

/** Where a layer is known to live in a registry, in the form it has there. */
export interface BlobLocation {
  /** "127.0.0.1:5000", "docker.io". */
  registry: string;
  /** Repository path in that registry: "library/busybox". */
  repository: string;
  digest: Digest;
  mediaType: string;
  size: number;
}

/** At most this many locations are kept per layer: the newest ones. */
const MAX_LOCATIONS = 16;

/**
 * dockerd's "v2 metadata": for each layer (by diff ID), the compressed blobs
 * it was pulled as or pushed as, and where. A push uses it to find blobs a
 * registry already has (HEAD) or can mount from another repository, without
 * compressing the layer again. One small JSON file per layer.
 */
export class BlobLocations {
  private readonly lock = new Mutex();

  constructor(private readonly dir: string) {}

  async get(diffId: Digest): Promise<BlobLocation[]> {
    try {
      return JSON.parse(await readFile(this.file(diffId), 'utf8')) as BlobLocation[];
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || err instanceof SyntaxError) return [];
      throw err;
    }
  }

  async add(diffId: Digest, location: BlobLocation): Promise<void> {
    await this.lock.run(async () => {
      const same = (l: BlobLocation) => l.registry === location.registry && l.repository === location.repository && l.digest === location.digest;
      const kept = (await this.get(diffId)).filter((l) => !same(l));
      await writeJsonAtomic(this.file(diffId), [location, ...kept].slice(0, MAX_LOCATIONS));
    });
  }

  private file(diffId: Digest): string {
    return join(this.dir, `${hexOf(diffId)}.json`);
  }
}
