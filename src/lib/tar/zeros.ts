/**
 * Zero bytes without I/O or allocation: a shared zero buffer that readers
 * hand out for holes (of a sparse entry, of a sparse file on disk) and that
 * writers recognise (isHole) and skip without comparing bytes.
 */

const CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK);

/** Up to CHUNK zero bytes; never written to by anyone. */
export function holeBytes(length: number): Buffer {
  return ZEROS.subarray(0, length);
}

export function isHole(chunk: Buffer): boolean {
  return chunk.buffer === ZEROS.buffer;
}

/** Whether `chunk` is all zero bytes (the native compare, not a loop). */
export function isZero(chunk: Buffer): boolean {
  if (isHole(chunk)) return true;
  for (let at = 0; at < chunk.length; at += CHUNK) {
    const part = chunk.subarray(at, Math.min(chunk.length, at + CHUNK));
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}
