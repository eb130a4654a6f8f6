import { Transform, type TransformCallback } from 'node:stream';

/**
 * Completes a tar stream that ends right after an entry's content, without
 * the padding of its last block or the two zero blocks that end an archive.
 * The docker CLI sends build contexts like that when it adds a Dockerfile to
 * them (`-f -`), and Go's tar reader, which dockerd uses, accepts it. A
 * stream cut inside a header or inside an entry's content is left as it is,
 * so the tar reader still reports it as truncated.
 */
export class TarTerminator extends Transform {
  /** Bytes of the current header collected so far, when in a header. */
  private header = Buffer.alloc(0);
  /** Content bytes (unpadded) and padding still to come for the current entry. */
  private content = 0;
  private padding = 0;
  private ended = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.track(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.ended && this.header.length === 0 && this.content === 0) {
      // At an entry boundary (or inside the last one's padding): finish the block and the archive.
      this.push(Buffer.concat([Buffer.alloc(this.padding), Buffer.alloc(1024)]));
    }
    callback();
  }

  private track(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.content > 0 || this.padding > 0) {
        const take = Math.min(this.content + this.padding, chunk.length - offset);
        const fromContent = Math.min(take, this.content);
        this.content -= fromContent;
        this.padding -= take - fromContent;
        offset += take;
        continue;
      }
      const need = 512 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (this.header.length < 512) return;
      this.startEntry(this.header);
      this.header = Buffer.alloc(0);
    }
  }

  private startEntry(header: Buffer): void {
    if (header.every((b) => b === 0)) {
      this.ended = true; // the archive's own end: nothing to add
      return;
    }
    const size = headerSize(header);
    this.content = size;
    this.padding = (512 - (size % 512)) % 512;
  }
}

/** The size field: octal, or base-256 when its first byte has the high bit set. */
function headerSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if (field[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}
