import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalid } from './errors.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGICS: [Compression, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

export function detectCompression(head: Uint8Array): Compression {
  for (const [kind, magic] of MAGICS) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return kind;
  }
  return 'none';
}

/**
 * Reads the first bytes of a stream and returns them with a stream that still
 * yields everything, head included. (A for-await loop cannot be used: leaving
 * it early destroys the source.)
 */
export async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  let ended = false;
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while (have < bytes && (chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        have += chunk.length;
      }
      if (have >= bytes) {
        stop();
        resolve();
      }
    };
    const onEnd = () => {
      ended = true;
      stop();
      resolve();
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  const head = Buffer.concat(chunks);
  const out = new PassThrough();
  out.write(head);
  if (ended) {
    out.end();
  } else {
    stream.on('error', (err) => out.destroy(err));
    stream.pipe(out);
  }
  return { head: head.subarray(0, bytes), stream: out };
}

/** zlib's output buffer: its 16 KiB default costs a thread-pool round trip per 16 KiB of a layer. */
export const INFLATE_CHUNK = 256 << 10;

/**
 * Returns the decompressed form of a stream, detecting the format by its magic
 * bytes: gzip through zlib; bzip2, xz and zstd through the standard tools,
 * with a clear error when the tool is missing.
 */
export async function decompress(source: Readable): Promise<{ stream: Readable; compression: Compression }> {
  const { head, stream } = await peek(source, 6);
  const compression = detectCompression(head);
  switch (compression) {
    case 'none':
      return { stream, compression };
    case 'gzip': {
      const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
      stream.on('error', (err) => gunzip.destroy(err));
      return { stream: stream.pipe(gunzip), compression };
    }
    default:
      return { stream: throughTool(stream, compression), compression };
  }
}

function throughTool(input: Readable, compression: Exclude<Compression, 'none' | 'gzip'>): Readable {
  const tool = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' }[compression];
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => out.destroy(invalid(`cannot decompress ${compression} data: ${tool} is not available`, err)));
  child.on('close', (code) => {
    if (code !== 0 && code !== null) out.destroy(invalid(`${tool} failed to decompress: ${stderr.trim()}`));
  });
  input.on('error', (err) => child.kill() && out.destroy(err));
  child.stdin.on('error', () => undefined);
  input.pipe(child.stdin);
  child.stdout.pipe(out);
  return out;
}

/** Reads a whole stream into memory, refusing more than `limit` bytes. */
export async function readCapped(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    total += buf.length;
    if (total > limit) throw invalid(`${what} is too large (limit ${limit} bytes)`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Parses JSON, turning a syntax error into an `invalid` EngineError naming what was parsed. */
export function parseJson<T>(text: string | Buffer, what: string): T {
  try {
    return JSON.parse(text.toString()) as T;
  } catch (err) {
    throw invalid(`invalid JSON in ${what}: ${(err as Error).message}`, err);
  }
}
