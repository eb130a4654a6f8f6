/**
 * Serving a blob the cache does not have: the upstream's bytes go to the
 * client and to a temporary file in the blob store at once; only when the
 * whole stream has arrived and hashes to the digest (and the announced size)
 * is the file renamed into the store. A short, broken or wrong stream leaves
 * nothing behind, and the client's response is cut off so it cannot take the
 * bytes for a whole blob.
 */
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestingStream, type Digest } from '../../lib/digest.js';
import type { Registry } from '../registry.js';

/** Streams `source` to `res` (already given its headers) while storing it; resolves once stored, rejects when the bytes were bad. */
export async function fillBlob(registry: Registry, name: string, digest: Digest, size: number, source: Readable, res: ServerResponse): Promise<void> {
  const tmp = join(registry.layout.blobsDir, `.tmp-${randomBytes(8).toString('hex')}`);
  const hasher = new DigestingStream();
  try {
    await pipeline(source, hasher, teeTo(res), createWriteStream(tmp, { mode: 0o644 }));
    const got = hasher.digest();
    if (got !== digest || (size >= 0 && hasher.bytes !== size)) {
      throw new Error(`upstream sent ${hasher.bytes} bytes with digest ${got} for ${digest} (${size} bytes announced)`);
    }
    await registry.blobs.adopt(tmp, digest);
    await registry.repos.linkBlob(name, digest);
    res.end();
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    res.destroy();
    throw err;
  }
}

/**
 * A pass-through that also writes each chunk to the client, waiting for it
 * to drain; a client that went away no longer holds back the cache fill.
 */
function teeTo(res: ServerResponse): Transform {
  let gone = false;
  let waiting: (() => void) | undefined;
  res.once('close', () => {
    gone = true;
    waiting?.();
  });
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (gone || res.write(chunk)) return done(null, chunk);
      waiting = () => {
        waiting = undefined;
        done(null, chunk);
      };
      res.once('drain', () => waiting?.());
    },
  });
}
