import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
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
 * Fetches one layer blob and hands its uncompressed tar to `consume` (the
 * layer store's extraction) in one pass: the compressed bytes are hashed and
 * counted against the manifest's descriptor as they arrive and inflated as
 * they come; the stream `consume` reads fails at its end unless the blob was
 * what its digest says, so nothing made from a bad blob is kept. A broken
 * connection is retried, `consume` with it.
 */
export async function downloadLayer<T>(
  repo: Repository, layer: Descriptor, diffId: Digest, progress: ItemProgress, consume: (tar: Readable) => Promise<T>,
): Promise<T> {
  const result = await retrying(progress, () => downloadOnce(repo, layer, diffId, progress, consume));
  progress.status('Download complete');
  return result;
}

/**
 * Fetches a layer blob as it is (compressed) into the content store under its
 * own digest, verified: for a layer that cannot be unpacked yet because the
 * one below it is still coming.
 */
export async function spoolLayer(repo: Repository, content: ContentStore, layer: Descriptor, progress: ItemProgress): Promise<void> {
  await retrying(progress, async () => {
    const res = await repo.blob(layer.digest);
    const verifier = new BlobVerifier(layer.digest, layer.size, () => progress.status('Verifying Checksum'));
    const verified = pipeline(res, progress.counter('Downloading', layer.size), verifier);
    verified.catch(() => undefined); // seen through the content store's write
    try {
      await content.write(untilVerified(verifier, verified), layer.digest);
    } catch (err) {
      res.destroy();
      throw await failure(verified, err, layer.digest, layer.digest);
    }
  });
  progress.status('Download complete');
}

async function retrying<T>(progress: ItemProgress, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isNetworkError(err) || n >= ATTEMPTS) throw err;
      for (let wait = n; wait > 0; wait--) {
        progress.status(`Retrying in ${wait} second${wait === 1 ? '' : 's'}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

async function downloadOnce<T>(repo: Repository, layer: Descriptor, diffId: Digest, progress: ItemProgress, consume: (tar: Readable) => Promise<T>): Promise<T> {
  const res = await repo.blob(layer.digest);
  const verifier = new BlobVerifier(layer.digest, layer.size, () => progress.status('Verifying Checksum'));
  const verified = pipeline(res, progress.counter('Downloading', layer.size), verifier);
  try {
    const { stream } = await decompress(verifier);
    // The verifier's verdict comes when the compressed bytes end; it must reach the
    // consumer whether or not the inflater has finished by then.
    verified.catch((err) => stream.destroy(err));
    // That can come after the consumer read the inflated stream to its end: nothing listens then.
    stream.on('error', () => undefined);
    return await consume(Readable.from(untilVerified(stream, verified), { objectMode: false }));
  } catch (err) {
    res.destroy();
    throw await failure(verified, err, layer.digest, diffId);
  }
}

/** What a failed download was: a broken connection (retried), a bad blob, or the consumer's own error. */
async function failure(verified: Promise<void>, err: unknown, digest: Digest, diffId: Digest): Promise<unknown> {
  // A connection that broke mid-blob is a network failure (retried), not a bad blob.
  const broken = await verified.then(() => undefined, (e: unknown) => e);
  if (broken instanceof Error && !(broken instanceof EngineError)) return brokenDownload(digest, broken);
  if (broken instanceof VerificationError) return broken;
  return explain(err, digest, diffId);
}

/** Yields the inflated tar, and fails at the end unless the compressed blob was verified. */
async function* untilVerified(stream: AsyncIterable<Uint8Array>, verified: Promise<void>): AsyncGenerator<Uint8Array> {
  yield* stream;
  await verified;
}

function explain(err: unknown, digest: Digest, diffId: Digest): unknown {
  if (err instanceof VerificationError || isNetworkError(err)) return err;
  if (isEngineError(err, 'invalid') && /digest mismatch|diff ID mismatch/.test(err.message)) {
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
