import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';

/** Content-addressed blob storage (configs, manifests, layer tarballs). */
export interface ContentStore {
  /**
   * Writes a stream into the store through an ingest file; if `expected` is given
   * the digest (and `expectedSize`, when given) must match or nothing is kept.
   * Returns the digest and size of what was written.
   */
  write(data: AsyncIterable<Uint8Array> | Uint8Array, expected?: Digest, expectedSize?: number): Promise<{ digest: Digest; size: number }>;
  has(digest: Digest): Promise<boolean>;
  size(digest: Digest): Promise<number>;
  /** Throws notFound when absent. */
  read(digest: Digest): Promise<Buffer>;
  open(digest: Digest): Readable;
  path(digest: Digest): string;
  delete(digest: Digest): Promise<void>;
  list(): Promise<Digest[]>;
}
