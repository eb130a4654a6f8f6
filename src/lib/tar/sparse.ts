import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { invalid } from '../errors.js';
import { readWithHoles, type HoleSeeker } from './hole-reader.js';
import { fileContent } from './pack.js';
import { holeBytes, isZero } from './zeros.js';
import { BLOCK, encodeHeader, padding, type TarHeader } from './writer.js';

/**
 * Sparse files in tars, so that a file of a few data blocks and gigabytes of
 * holes (a disk image, a database preallocated with truncate) crosses a tar
 * as its data only. The format is GNU tar's PAX sparse format 1.0, which Go's
 * archive/tar (dockerd) and GNU tar read: PAX records name the file and its
 * real size, and the entry's data is a map of the data segments (decimal
 * numbers, one a line, padded to a block) followed by those segments.
 *
 * Holes are found by content (runs of zero blocks), not by asking the
 * filesystem, so the same content gives the same tar; but only files the
 * filesystem stores with fewer blocks than their size are scanned, so
 * ordinary files cost nothing more than before.
 */

/** One run of data in a sparse file. */
export interface Segment {
  offset: number;
  length: number;
}

/** Holes are found at this granularity (a filesystem block). */
const HOLE_BLOCK = 4096;
const CHUNK = 1 << 20;
/** Files smaller than this are not worth a map. */
const MIN_SPARSE_SIZE = 1 << 20;

/** A regular file that occupies fewer blocks than its size: it has holes worth looking for. */
export function looksSparse(st: Stats): boolean {
  return st.isFile() && st.size >= MIN_SPARSE_SIZE && st.blocks * 512 < st.size;
}

/**
 * The data segments of a file, at HOLE_BLOCK granularity; adjacent data
 * blocks are merged. With a seeker the filesystem's holes are skipped unread
 * (they are zeros, so the answer is the same).
 */
export async function dataSegments(path: string, size: number, seeker?: HoleSeeker): Promise<Segment[]> {
  const segments: Segment[] = [];
  const file = await open(path, 'r');
  try {
    let offset = 0;
    for await (const chunk of readWithHoles(file, 0, size, seeker)) {
      if (!isZero(chunk)) {
        for (let at = 0; at < chunk.length; at += HOLE_BLOCK) {
          const block = chunk.subarray(at, Math.min(chunk.length, at + HOLE_BLOCK));
          if (!isZero(block)) addData(segments, offset + at, block.length);
        }
      }
      offset += chunk.length;
    }
  } finally {
    await file.close();
  }
  return segments;
}

function addData(segments: Segment[], offset: number, length: number): void {
  const last = segments[segments.length - 1];
  if (last && last.offset + last.length === offset) last.length += length;
  else segments.push({ offset, length });
}

/** The map that starts a 1.0 entry's data: count, then offset and length of each segment, padded to a block. */
export function encodeMap(segments: readonly Segment[], realSize: number): Buffer {
  const all = [...segments];
  // As GNU tar: a file that ends in a hole ends with an empty segment at its size.
  const last = all[all.length - 1];
  if (!last || last.offset + last.length < realSize) all.push({ offset: realSize, length: 0 });
  const text = `${all.length}\n${all.map((s) => `${s.offset}\n${s.length}\n`).join('')}`;
  return Buffer.concat([Buffer.from(text, 'latin1'), padding(text.length)]);
}

/**
 * The header and data of `header` (a regular file at `hostPath`) as a sparse
 * entry, or null when the file has no holes worth it.
 */
export async function sparseEntry(header: TarHeader, hostPath: string, seeker?: HoleSeeker): Promise<{ header: TarHeader; map: Buffer; segments: Segment[] } | null> {
  const segments = await dataSegments(hostPath, header.size, seeker);
  const dataBytes = segments.reduce((n, s) => n + s.length, 0);
  if (header.size - dataBytes < MIN_SPARSE_SIZE) return null;
  const map = encodeMap(segments, header.size);
  const sparse: TarHeader = {
    ...header,
    // GNU tar's stand-in name; readers that know the format take GNU.sparse.name.
    name: `GNUSparseFile.0/${posix.basename(header.name).slice(-80)}`,
    size: map.length + dataBytes,
    pax: [
      ['GNU.sparse.major', '1'],
      ['GNU.sparse.minor', '0'],
      ['GNU.sparse.name', header.name],
      ['GNU.sparse.realsize', String(header.size)],
    ],
  };
  return { header: sparse, map, segments: segments.filter((s) => s.length > 0) };
}

/**
 * An entry's bytes (header, content, padding); a regular file with holes
 * becomes a sparse entry. A seeker finds the holes without reading them.
 */
export async function* entryBytes(header: TarHeader, hostPath: string, st: Stats, seeker?: HoleSeeker): AsyncGenerator<Buffer> {
  const sparse = header.type === 'file' && looksSparse(st) ? await sparseEntry(header, hostPath, seeker) : null;
  if (!sparse) {
    yield encodeHeader(header);
    if (header.type === 'file' && header.size > 0) yield* fileContent(hostPath, header.size, seeker);
    return;
  }
  yield encodeHeader(sparse.header);
  yield sparse.map;
  yield* segmentsOf(hostPath, sparse.segments);
  yield padding(sparse.header.size);
}

/** The bytes of each segment in turn (zeros where the file shrank meanwhile, so sizes stay as announced). */
async function* segmentsOf(path: string, segments: readonly Segment[]): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    for (const { offset, length } of segments) yield* readWithHoles(file, offset, length);
  } finally {
    await file.close();
  }
}

/** PAX records of a sparse 1.0 entry: its real name and size, or null for other entries. */
export function sparseInfo(pax: Record<string, string> | null | undefined): { name: string; realSize: number } | null {
  if (!pax || pax['GNU.sparse.major'] === undefined) return null;
  if (pax['GNU.sparse.major'] !== '1' || pax['GNU.sparse.minor'] !== '0') {
    throw invalid(`unsupported sparse tar format ${pax['GNU.sparse.major']}.${pax['GNU.sparse.minor'] ?? ''}: only PAX 1.0 is read`);
  }
  const realSize = Number(pax['GNU.sparse.realsize']);
  const name = pax['GNU.sparse.name'];
  if (!name || !Number.isSafeInteger(realSize) || realSize < 0) throw invalid('invalid sparse tar entry: bad GNU.sparse.name or GNU.sparse.realsize');
  return { name, realSize };
}

/**
 * The logical content of a sparse 1.0 entry from its stored data: the map is
 * read off the front, then holes come out as holeBytes() and data segments
 * as read. Every number is checked: segments in order, inside the file, and
 * exactly as much data as the map announces.
 */
export async function* expandSparse(body: AsyncIterable<Buffer>, realSize: number): AsyncGenerator<Buffer> {
  const input = new ByteQueue(body[Symbol.asyncIterator]());
  const segments = await readMap(input, realSize);
  let position = 0;
  for (const { offset, length } of segments) {
    yield* holes(offset - position);
    for (let left = length; left > 0; ) {
      const chunk = await input.take(left);
      if (chunk.length === 0) throw invalid('invalid sparse tar entry: data ends before its map does');
      left -= chunk.length;
      yield chunk;
    }
    position = offset + length;
  }
  yield* holes(realSize - position);
  if ((await input.take(1)).length > 0) throw invalid('invalid sparse tar entry: more data than its map announces');
}

function* holes(length: number): Generator<Buffer> {
  for (let left = length; left > 0; left -= CHUNK) yield holeBytes(Math.min(CHUNK, left));
}

async function readMap(input: ByteQueue, realSize: number): Promise<Segment[]> {
  let consumed = 0;
  const next = async (): Promise<number> => {
    let digits = '';
    for (;;) {
      const byte = await input.take(1);
      if (byte.length === 0) throw invalid('invalid sparse tar entry: truncated map');
      consumed++;
      if (byte[0] === 0x0a) break;
      if (byte[0]! < 0x30 || byte[0]! > 0x39 || digits.length > 18) throw invalid('invalid sparse tar entry: bad number in its map');
      digits += String.fromCharCode(byte[0]!);
    }
    if (digits === '') throw invalid('invalid sparse tar entry: bad number in its map');
    return Number(digits);
  };
  const count = await next();
  const segments: Segment[] = [];
  let end = 0;
  for (let i = 0; i < count; i++) {
    const offset = await next();
    const length = await next();
    if (offset < end || offset + length > realSize) throw invalid('invalid sparse tar entry: segments out of order or beyond the file');
    segments.push({ offset, length });
    end = offset + length;
  }
  const rest = (BLOCK - (consumed % BLOCK)) % BLOCK;
  if ((await input.take(rest, true)).length !== rest) throw invalid('invalid sparse tar entry: truncated map');
  return segments;
}

/** Takes bytes off an async iterator of chunks, as much as asked and no more. */
class ByteQueue {
  private pending: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `n` bytes (fewer only at the end); with `exact`, waits for all n. */
  async take(n: number, exact = false): Promise<Buffer> {
    while (!this.done && (this.pending.length === 0 || (exact && this.pending.length < n))) {
      const { value, done } = await this.source.next();
      if (done) this.done = true;
      else this.pending = this.pending.length === 0 ? value : Buffer.concat([this.pending, value]);
    }
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(out.length);
    return out;
  }
}
