import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { isZero } from '../../lib/tar/zeros.js';

/**
 * The key under which a received build context is kept: a sha256 over the
 * context's bytes in which every all-zero block counts as a marker instead
 * of its 64 KiB, so that a sparse file's gigabytes of zeros (the docker CLI
 * sends them all) cost a memory compare each instead of a hash. The key
 * names a context only inside berthd, never an image, so it need not be the
 * plain sha256 of the tar. Blocks are counted from the stream's start, so
 * the key depends on the bytes only, not on how they were cut into chunks.
 * Passes every chunk on unchanged.
 */
const BLOCK = 64 * 1024;
const ZERO_BLOCK = Buffer.from([0]);
const DATA_BLOCK = Buffer.from([1]);

export class ContextKeyStream extends Transform {
  private readonly hash = createHash('sha256');
  /** The start of a block that began in an earlier chunk. */
  private readonly carry = Buffer.alloc(BLOCK);
  private carried = 0;
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    let at = 0;
    if (this.carried > 0) {
      at = Math.min(chunk.length, BLOCK - this.carried);
      chunk.copy(this.carry, this.carried, 0, at);
      this.carried += at;
      if (this.carried === BLOCK) this.block(this.carry);
    }
    for (; at + BLOCK <= chunk.length; at += BLOCK) this.block(chunk.subarray(at, at + BLOCK));
    if (at < chunk.length) {
      chunk.copy(this.carry, 0, at);
      this.carried = chunk.length - at;
    }
    done(null, chunk);
  }

  private block(block: Buffer): void {
    if (isZero(block)) this.hash.update(ZERO_BLOCK);
    else this.hash.update(DATA_BLOCK).update(block);
    this.carried = 0;
  }

  /** Valid once the stream has ended: the last, partial block is hashed as data. */
  digest(): Digest {
    const hash = this.hash.copy().update(DATA_BLOCK).update(this.carry.subarray(0, this.carried));
    return `sha256:${hash.digest('hex')}`;
  }
}
