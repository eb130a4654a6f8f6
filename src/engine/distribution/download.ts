import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress } from '../../lib/compression.js';
import type { Digest } from '../../lib/digest.js';
import { EngineError, invalid, isEngineError } from '../../lib/errors.js';
import type { ContentStore } from '../content/types.js';
import type { Descriptor } from './manifest.js';
import type { ItemProgress } from './progress.js';
import type { Repository } from './repository.js';
import { brokenDownload, isNetworkError } from './transport.js';

/** Network failures are retried this many times, waiting 1 s, 2 s, … in between (dockerd retries 5 times). */
const ATTEMPTS = 3;

/**
 * Fetches one layer blob into the content store as its uncompressed tar under
 * its diff ID, in one pass: the compressed bytes are hashed and counted
 * against the manifest's descriptor as they arrive, inflated, and written
 * through an ingest file that the content store keeps only if the diff ID
 * matches too. A blob that is too long, too short or not what its digest
 * says leaves nothing behind.
 */
export async function downloadLayer(
  repo: Repository, content: ContentStore, layer: Descriptor, diffId: Digest, progress: ItemProgress,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await downloadOnce(repo, content, layer, diffId, progress);
      progress.status('Download complete');
      return;
    } catch (err) {
      if (!isNetworkError(err) || attempt >= ATTEMPTS) throw err;
      for (let wait = attempt; wait > 0; wait--) {
        progress.status(`Retrying in ${wait} second${wait === 1 ? '' : 's'}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

async function downloadOnce(repo: Repository, content: ContentStore, layer: Descriptor, diffId: Digest, progress: ItemProgress): Promise<void> {
  const res = await repo.blob(layer.digest);
  const verifier = new BlobVerifier(layer.digest, layer.size, () => progress.status('Verifying Checksum'));
  const verified = pipeline(res, progress.counter('Downloading', layer.size), verifier);
  try {
    const { stream } = await decompress(verifier);
    // The verifier's verdict comes when the compressed bytes end; it must reach the
    // content store whether or not the inflater has finished by then.
    verified.catch((err) => stream.destroy(err));
    await content.write(untilVerified(stream, verified), diffId);
  } catch (err) {
    res.destroy();
    // A connection that broke mid-blob is a network failure (retried), not a bad blob.
    const broken = await verified.then(() => undefined, (e: unknown) => e);
    if (broken instanceof Error && !(broken instanceof EngineError)) throw brokenDownload(layer.digest, broken);
    throw explain(err, layer.digest, diffId);
  }
}

/** Yields the inflated tar, and fails at the end unless the compressed blob was verified. */
async function* untilVerified(stream: AsyncIterable<Uint8Array>, verified: Promise<void>): AsyncGenerator<Uint8Array> {
  yield* stream;
  await verified;
}

function explain(err: unknown, digest: Digest, diffId: Digest): unknown {
  if (err instanceof VerificationError || isNetworkError(err)) return err;
  if (isEngineError(err, 'invalid') && /digest mismatch/.test(err.message)) {
    return invalid(`layer ${digest} does not unpack to diff ID ${diffId} named in the image config: ${err.message}`);
  }
  if (isEngineError(err)) return err;
  // zlib and tools fail on bytes that are not what they claim to be.
  return invalid(`filesystem layer verification failed for digest ${digest}: ${(err as Error).message}`, err);
}

/** The blob is not what its descriptor says. */
class VerificationError extends EngineError {
  constructor(digest: Digest) {
    super('invalid', `filesystem layer verification failed for digest ${digest}`);
  }
}

/** Hashes and counts a blob as it passes; fails at once on excess bytes, and at the end on a wrong digest or size. */
class BlobVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly digest: Digest, private readonly size: number, private readonly onComplete: () => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.size) return done(this.failure());
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.onComplete();
    const actual = `sha256:${this.hash.digest('hex')}`;
    done(this.bytes === this.size && actual === this.digest ? null : this.failure());
  }

  private failure(): Error {
    return new VerificationError(this.digest);
  }
}
