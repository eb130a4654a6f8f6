import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar, { type Extract, type Header } from 'tar-stream';
import { createHash, type Hash } from 'node:crypto';
import { INFLATE_CHUNK } from '../compression.js';
import type { Digest } from '../digest.js';
import { expandSparse, sparseInfo } from './sparse.js';

/**
 * Reading a layer tar: sniff gzip by its magic bytes, hash the uncompressed
 * bytes (all of them, including padding after the end-of-archive blocks: that
 * is what a diff ID covers), and hand out entries with binary-safe xattrs;
 * sparse entries (PAX 1.0) as the files they stand for.
 */

/** A tar entry's header as tar-stream gives it, plus the PAX records it carries. */
export type EntryHeader = Omit<Header, 'pax'> & { pax?: Record<string, string> | null };

export interface TarEntry {
  header: EntryHeader;
  /** xattrs from PAX `SCHILY.xattr.<name>` records, values as raw bytes. */
  xattrs: Map<string, Buffer>;
  /** The entry's content; must be consumed (or drained) before the next entry. */
  body: AsyncIterable<Buffer>;
}

export interface TarReader {
  entries(): AsyncGenerator<TarEntry>;
  /** sha256 of the uncompressed stream; valid after entries() completed. */
  diffId(): Digest;
  /** Stops reading (on a refused entry) and releases the input. */
  abort(err: Error): void;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const XATTR_KEY = 'SCHILY.xattr.';
const RAW_XATTRS = Symbol('berth.rawXattrs');

export interface ReadOptions {
  /** Sees every uncompressed byte, in order, before the entries are parsed (tar-split records the tar with it). */
  tap?: (chunk: Buffer) => void;
  /** false: no diff ID (a build context is no layer, and hashing a sparse file's gigabytes of zeros costs seconds). */
  digest?: boolean;
}

export async function readTar(input: Readable, options: ReadOptions = {}): Promise<TarReader> {
  const head = await peek(input, 2);
  const gzipped = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const hasher = options.digest === false ? null : createHash('sha256');
  const extract = tar.extract();
  captureRawPax(extract);
  const observed = observer(hasher, options.tap);
  const inflate = gzipped ? [createGunzip({ chunkSize: INFLATE_CHUNK })] : [];
  const stages = [input, ...inflate, ...observed, extract];
  const flowing = pipeline(stages as [Readable, ...NodeJS.WritableStream[]]);
  flowing.catch(() => undefined); // observed through entries(); this only prevents an unhandled rejection

  return {
    async *entries() {
      for await (const entry of extract) {
        const header = entry.header as EntryHeader;
        const sparse = sparseInfo(header.pax);
        if (!sparse) {
          yield { header, xattrs: xattrsOf(header), body: entry as AsyncIterable<Buffer> };
          continue;
        }
        // A sparse file is handed out as the file it stands for; its holes come as holeBytes().
        const real = { ...header, name: sparse.name, size: sparse.realSize };
        yield { header: real, xattrs: xattrsOf(header), body: expandSparse(entry as AsyncIterable<Buffer>, sparse.realSize) };
      }
      await flowing;
    },
    diffId: () => {
      if (!hasher) throw new Error('readTar: diffId() of a tar read with digest: false');
      return `sha256:${hasher.copy().digest('hex')}`;
    },
    abort(err) {
      extract.destroy(err);
      input.destroy();
    },
  };
}

/** One stage that hashes and taps each chunk (a stage per job cost a stream hop per chunk each). */
function observer(hasher: Hash | null, tap: ((chunk: Buffer) => void) | undefined): Transform[] {
  if (!hasher && !tap) return [];
  return [
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hasher?.update(chunk);
        tap?.(chunk);
        done(null, chunk);
      },
    }),
  ];
}

/** Reads at least `n` bytes (unless the stream ends first) and puts them back. */
async function peek(input: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  const onEnd = () => (ended = true);
  input.once('end', onEnd);
  try {
    while (length < n && !ended) {
      const chunk = input.read() as Buffer | null;
      if (chunk !== null) {
        chunks.push(chunk);
        length += chunk.length;
      } else {
        await readableOrEnd(input);
      }
    }
  } finally {
    input.off('end', onEnd);
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) input.unshift(head);
  return head;
}

function readableOrEnd(input: Readable): Promise<void> {
  if (input.readableEnded) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      input.off('readable', done).off('end', done).off('error', settle);
      if (err) reject(err);
      else resolve();
    };
    const done = () => settle();
    input.on('readable', done).on('end', done).on('error', settle);
  });
}

/**
 * tar-stream decodes PAX values as UTF-8, which mangles binary xattrs such as
 * security.capability. We wrap its per-instance PAX decoder to also keep the
 * raw bytes of xattr records. If a future tar-stream renames that internal,
 * this quietly does nothing and xattrsOf falls back to the decoded strings.
 */
function captureRawPax(extract: Extract): void {
  type Internals = {
    _decodeLongHeader?: (this: Internals, buf: Buffer) => void;
    _header?: { type?: string } | null;
    _pax?: (Record<string, string> & { [RAW_XATTRS]?: Map<string, Buffer> }) | null;
  };
  const internals = extract as unknown as Internals;
  const original = internals._decodeLongHeader;
  if (typeof original !== 'function') return;
  internals._decodeLongHeader = function (buf: Buffer) {
    original.call(this, buf);
    if (this._header?.type === 'pax-header' && this._pax) this._pax[RAW_XATTRS] = parsePaxXattrs(buf);
  };
}

/** Parses PAX records ("<len> <key>=<value>\n") keeping xattr values as bytes. */
export function parsePaxXattrs(buf: Buffer): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>();
  let offset = 0;
  while (offset < buf.length) {
    const space = buf.indexOf(0x20, offset);
    if (space < 0) break;
    const length = parseInt(buf.subarray(offset, space).toString('latin1'), 10);
    if (!(length > 0) || offset + length > buf.length) break;
    const record = buf.subarray(space + 1, offset + length - 1); // without the trailing '\n'
    const equals = record.indexOf(0x3d);
    if (equals > 0) {
      const key = record.subarray(0, equals).toString('utf8');
      if (key.startsWith(XATTR_KEY)) xattrs.set(key.slice(XATTR_KEY.length), Buffer.from(record.subarray(equals + 1)));
    }
    offset += length;
  }
  return xattrs;
}

function xattrsOf(header: EntryHeader): Map<string, Buffer> {
  const pax = header.pax as (Record<string, string> & { [RAW_XATTRS]?: Map<string, Buffer> }) | undefined;
  if (!pax) return new Map();
  const raw = pax[RAW_XATTRS];
  if (raw) return raw;
  const decoded = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(pax)) {
    if (key.startsWith(XATTR_KEY)) decoded.set(key.slice(XATTR_KEY.length), Buffer.from(value, 'utf8'));
  }
  return decoded;
}
