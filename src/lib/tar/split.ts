import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Digest } from '../digest.js';
import { invalid } from '../errors.js';
import { sparseInfo } from './sparse.js';

/**
 * Tar-split: what it takes to give back a tar byte for byte once its files
 * were extracted, without keeping the tar (as Docker's tar-split does). The
 * tar is cut into runs of raw bytes (headers, PAX and long-name records,
 * padding, end blocks, whatever trails them) kept as they were, and the data
 * of regular files, kept only as the path the extraction put it at. Reading
 * the files back in order between the raw runs regenerates the stream.
 *
 * The scanner reads the same stream as the extractor (tar-stream) and must
 * cut entries exactly where it does: same header decoding, same handling of
 * PAX sizes, directories with a size, and zero blocks in the middle. Entries
 * are numbered in the order tar-stream hands them out (long-name and PAX
 * records are not entries), so the extractor can say where entry N's data went.
 */

export type SplitRecord =
  | { kind: 'raw'; bytes: Buffer }
  /** Regular-file data: read back from `key` (a root-relative path), or kept inline when the tree cannot give it back. */
  | { kind: 'file'; index: number; size: number; key?: string; inline?: Buffer };

export type FileRecord = Extract<SplitRecord, { kind: 'file' }>;

const BLOCK = 512;
/** tar-stream's typeflag numbers (the byte minus '0') of records that are not entries. */
const LONG_RECORDS = new Set([72 /* x: PAX */, 55 /* g: global PAX */, 27 /* K: long link */, 28 /* L: long name */]);
const PAX_TYPE = 72;
const GLOBAL_PAX_TYPE = 55;
const DIRECTORY_TYPE = 5;
const FILE_TYPES = new Set([0, 7]);

type State =
  | { at: 'header' }
  | { at: 'long'; left: number; pad: number; type: number; chunks: Buffer[] }
  /** Entry data: a regular file's is left to the extractor (`file`), any other is kept raw. */
  | { at: 'data'; left: number; pad: number; file: boolean }
  | { at: 'pad'; left: number };

export class TarSplitScanner {
  readonly records: SplitRecord[] = [];
  private raw: Buffer[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private state: State = { at: 'header' };
  private entries = 0;
  private pax: Record<string, string> | null = null;
  private globalPax: Record<string, string> | null = null;
  /** After a header tar-stream refuses, the rest is kept raw: the extraction fails anyway. */
  private broken = false;

  write(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) offset += this.step(chunk.subarray(offset));
  }

  /** Call at the end of the stream: a partial block left over is kept raw. */
  end(): SplitRecord[] {
    if (this.pendingBytes > 0) this.raw.push(...this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.flushRaw();
    return this.records;
  }

  /** Data records whose content the extractor must place or capture, by entry number. */
  readonly files = new Map<number, FileRecord>();

  private step(chunk: Buffer): number {
    const state = this.state;
    if (this.broken) {
      this.raw.push(Buffer.from(chunk));
      return chunk.length;
    }
    switch (state.at) {
      case 'header': {
        const take = Math.min(BLOCK - this.pendingBytes, chunk.length);
        this.pending.push(Buffer.from(chunk.subarray(0, take)));
        this.pendingBytes += take;
        if (this.pendingBytes === BLOCK) {
          const block = Buffer.concat(this.pending);
          this.pending = [];
          this.pendingBytes = 0;
          this.header(block);
        }
        return take;
      }
      case 'long': {
        const take = Math.min(state.left, chunk.length);
        const bytes = Buffer.from(chunk.subarray(0, take));
        state.chunks.push(bytes);
        this.raw.push(bytes);
        state.left -= take;
        if (state.left === 0) {
          this.longRecord(state.type, Buffer.concat(state.chunks));
          this.state = state.pad > 0 ? { at: 'pad', left: state.pad } : { at: 'header' };
        }
        return take;
      }
      case 'data': {
        const take = Math.min(state.left, chunk.length);
        if (!state.file) this.raw.push(Buffer.from(chunk.subarray(0, take)));
        state.left -= take;
        if (state.left === 0) this.state = state.pad > 0 ? { at: 'pad', left: state.pad } : { at: 'header' };
        return take;
      }
      case 'pad': {
        const take = Math.min(state.left, chunk.length);
        this.raw.push(Buffer.from(chunk.subarray(0, take)));
        state.left -= take;
        if (state.left === 0) this.state = { at: 'header' };
        return take;
      }
    }
  }

  private header(block: Buffer): void {
    this.raw.push(block);
    const decoded = decodeHeader(block);
    if (decoded === 'empty') return; // a zero block: tar-stream skips it and reads on
    if (decoded === 'bad') {
      this.broken = true;
      return;
    }
    if (LONG_RECORDS.has(decoded.type)) {
      if (decoded.size > 0) this.state = { at: 'long', left: decoded.size, pad: overflow(decoded.size), type: decoded.type, chunks: [] };
      else this.longRecord(decoded.type, Buffer.alloc(0));
      return;
    }
    const index = this.entries++;
    const pax = this.pax;
    this.pax = null;
    let size = decoded.size;
    if (pax?.size) size = parseInt(pax.size, 10);
    if (!(size >= 0)) {
      this.broken = true;
      return;
    }
    if (size === 0 || decoded.type === DIRECTORY_TYPE) return;
    let sparse = false;
    try {
      sparse = sparseInfo(pax) !== null;
    } catch {
      sparse = true; // refused by the extractor: keep whatever there is raw
    }
    const file = FILE_TYPES.has(decoded.type) && !sparse;
    if (file) {
      this.flushRaw();
      const record: FileRecord = { kind: 'file', index, size };
      this.records.push(record);
      this.files.set(index, record);
    }
    this.state = { at: 'data', left: size, pad: overflow(size), file };
  }

  private longRecord(type: number, data: Buffer): void {
    if (type === GLOBAL_PAX_TYPE) this.globalPax = decodePax(data);
    // As tar-stream: a global header only counts when an entry has PAX records of its own.
    else if (type === PAX_TYPE) this.pax = this.globalPax === null ? decodePax(data) : { ...this.globalPax, ...decodePax(data) };
  }

  private flushRaw(): void {
    if (this.raw.length === 0) return;
    this.records.push({ kind: 'raw', bytes: Buffer.concat(this.raw) });
    this.raw = [];
  }
}

function overflow(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** The fields of a header block the cut depends on, decoded as tar-stream decodes them. */
function decodeHeader(block: Buffer): { type: number; size: number } | 'empty' | 'bad' {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (sum === 8 * 32) return 'empty';
  if (sum !== decodeNumber(block, 148, 8)) return 'bad';
  let type = block[156] === 0 ? 0 : block[156]! - 48;
  if (type === 0 && nameEndsWithSlash(block)) type = DIRECTORY_TYPE; // old tars mark directories by a trailing '/'
  return { type, size: decodeNumber(block, 124, 12) };
}

/** The entry name's last byte is '/' (with a ustar prefix in front of an empty name, too). */
function nameEndsWithSlash(block: Buffer): boolean {
  const nul = block.subarray(0, 100).indexOf(0);
  const end = nul < 0 ? 100 : nul;
  if (end > 0) return block[end - 1] === 0x2f;
  const ustar = block.subarray(257, 263).toString('latin1') === 'ustar\0';
  return ustar && block[345] !== 0; // "prefix/" + ""
}

/** Octal (or GNU base-256) as tar-stream's decodeOct reads it. */
function decodeNumber(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  let start = 0;
  while (start < field.length && field[start] === 32) start++;
  let end = field.indexOf(32, start);
  if (end < 0) end = field.length;
  while (start < end && field[start] === 0) start++;
  if (end === start) return 0;
  return parseInt(field.subarray(start, end).toString(), 8);
}

/** PAX records ("<len> <key>=<value>\n") as tar-stream's decodePax reads them. */
function decodePax(buf: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  let rest = buf;
  while (rest.length) {
    let space = 0;
    while (space < rest.length && rest[space] !== 32) space++;
    const length = parseInt(rest.subarray(0, space).toString(), 10);
    if (!length) return result;
    const record = rest.subarray(space + 1, length - 1).toString();
    const equals = record.indexOf('=');
    if (equals === -1) return result;
    result[record.slice(0, equals)] = record.slice(equals + 1);
    rest = rest.subarray(length);
  }
  return result;
}

// ---- the stored form: gzip'd binary records ----

const MAGIC = Buffer.from('BTS1');
const RAW = 1;
const FILE = 2;
const INLINE = 3;

/** Encodes records for storage; every file record must have a key or inline data by now. */
export async function encodeSplit(records: readonly SplitRecord[]): Promise<{ bytes: Buffer; tarSize: number }> {
  const parts: Buffer[] = [MAGIC];
  let tarSize = 0;
  for (const record of records) {
    if (record.kind === 'raw') {
      parts.push(lengthPrefixed(RAW, record.bytes));
      tarSize += record.bytes.length;
    } else if (record.inline) {
      if (record.inline.length !== record.size) throw new Error(`tar-split: entry ${record.index} kept ${record.inline.length} of ${record.size} bytes`);
      parts.push(lengthPrefixed(INLINE, record.inline));
      tarSize += record.size;
    } else if (record.key !== undefined) {
      const key = Buffer.from(record.key);
      const head = Buffer.alloc(1 + 6 + 4);
      head[0] = FILE;
      head.writeUIntBE(record.size, 1, 6);
      head.writeUInt32BE(key.length, 7);
      parts.push(head, key);
      tarSize += record.size;
    } else {
      throw new Error(`tar-split: the data of entry ${record.index} was neither placed nor kept`);
    }
  }
  return { bytes: await promisify(gzip)(Buffer.concat(parts)), tarSize };
}

function lengthPrefixed(type: number, bytes: Buffer): Buffer {
  const head = Buffer.alloc(1 + 6);
  head[0] = type;
  head.writeUIntBE(bytes.length, 1, 6);
  return Buffer.concat([head, bytes]);
}

/** Raw bytes to copy, or a file to read `size` bytes from. */
export type SplitPiece = { bytes: Buffer } | { key: string; size: number };

export async function decodeSplit(stored: Buffer): Promise<SplitPiece[]> {
  const buf = await promisify(gunzip)(stored);
  if (!buf.subarray(0, 4).equals(MAGIC)) throw invalid('tar-split metadata: unknown format');
  const pieces: SplitPiece[] = [];
  let offset = 4;
  while (offset < buf.length) {
    const type = buf[offset]!;
    const length = buf.readUIntBE(offset + 1, 6);
    offset += 7;
    if (type === FILE) {
      const keyLength = buf.readUInt32BE(offset);
      offset += 4;
      pieces.push({ key: buf.subarray(offset, offset + keyLength).toString(), size: length });
      offset += keyLength;
    } else if (type === RAW || type === INLINE) {
      pieces.push({ bytes: buf.subarray(offset, offset + length) });
      offset += length;
    } else {
      throw invalid(`tar-split metadata: unknown record type ${type}`);
    }
    if (offset > buf.length) throw invalid('tar-split metadata: truncated');
  }
  return pieces;
}

/** Reads exactly `size` bytes of a file, in chunks; fails if it has fewer or more. */
export type FileReader = (key: string, size: number) => AsyncIterable<Buffer>;

/**
 * Regenerates the tar: raw pieces as stored, file data from `read`. The result
 * is hashed as it goes and fails at the end unless it is the tar `expected`
 * names, so a tree that changed since can never pass for the layer.
 */
export async function* assembleTar(pieces: readonly SplitPiece[], read: FileReader, expected: Digest, what: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for (const piece of pieces) {
    if ('bytes' in piece) {
      hash.update(piece.bytes);
      yield piece.bytes;
      continue;
    }
    for await (const chunk of read(piece.key, piece.size)) {
      hash.update(chunk);
      yield chunk;
    }
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== expected) throw invalid(`${what}: the tar regenerated from its files has digest ${actual}, not ${expected}: the layer's files changed`);
}
