import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { holeBytes } from './zeros.js';

/**
 * Reading a sparse file without reading its holes: the filesystem says where
 * data and holes are (lseek's SEEK_DATA / SEEK_HOLE), and the holes come out
 * as holeBytes(), the shared zero buffer, with no I/O and no allocation.
 * Consumers see the file's full byte stream (a hash over it is the same), and
 * writers that know holeBytes (HoleWriter) skip them without comparing.
 *
 * The pieces never cross a WINDOW boundary of the file and a window is only
 * handed out as a hole when all of it is one, so the same content is cut into
 * the same pieces whatever its holes: callers that hash per piece stay
 * deterministic.
 */

/** lseek(2) with SEEK_DATA / SEEK_HOLE, which Node lacks: src/platform/linux/sys.ts has them. */
export interface HoleSeeker {
  /** Where data starts at or after `offset`; -1 when only a hole (or the end) follows. */
  seekData(fd: number, offset: number): number;
  /** Where the next hole starts at or after `offset` (the file's end counts as one). */
  seekHole(fd: number, offset: number): number;
}

export const WINDOW = 1 << 20;

/**
 * Exactly `length` bytes of an open file from `offset`, zero-filled where the
 * file has shrunk; without a seeker every window is read.
 */
export async function* readWithHoles(file: FileHandle, offset: number, length: number, seeker?: HoleSeeker): AsyncGenerator<Buffer> {
  const end = offset + length;
  const known = { dataUntil: offset, holeUntil: offset };
  for (let at = offset; at < end; ) {
    const stop = Math.min(end, (Math.floor(at / WINDOW) + 1) * WINDOW);
    if (seeker && windowIsHole(file.fd, at, stop, known, seeker)) {
      yield holeBytes(stop - at);
      at = stop;
      continue;
    }
    // Unzeroed: only what read() filled is handed out.
    const buffer = Buffer.allocUnsafe(stop - at);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, at);
    if (bytesRead === 0) {
      yield* zeros(end - at);
      return;
    }
    at += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Whether [at, stop) lies in one hole; `known` keeps the last answers, so a long hole or data run costs two lseeks. */
function windowIsHole(fd: number, at: number, stop: number, known: { dataUntil: number; holeUntil: number }, seeker: HoleSeeker): boolean {
  if (stop <= known.holeUntil) return true;
  if (at < known.dataUntil) return false;
  const data = seeker.seekData(fd, at);
  if (data < 0) {
    known.holeUntil = Infinity; // a hole to the end (or the file shrank): zeros either way
    return true;
  }
  if (data >= stop) {
    known.holeUntil = data;
    return true;
  }
  known.dataUntil = seeker.seekHole(fd, data);
  return false;
}

function* zeros(length: number): Generator<Buffer> {
  for (let left = length; left > 0; left -= WINDOW) yield holeBytes(Math.min(WINDOW, left));
}

/** A whole file as a stream, its holes as holeBytes() (a layer blob, a received build context). */
export function holeReadStream(path: string, seeker: HoleSeeker): Readable {
  return Readable.from(
    (async function* () {
      const file = await open(path, 'r');
      try {
        yield* readWithHoles(file, 0, (await file.stat()).size, seeker);
      } finally {
        await file.close();
      }
    })(),
    { objectMode: false },
  );
}
