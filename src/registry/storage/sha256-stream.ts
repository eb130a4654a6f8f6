/**
 * The sha256 of an upload, computed while its bytes are written.
 *
 * Node's bundled OpenSSL hashes at ~230 MB/s here (its sha256 uses no SHA
 * extensions), the system's `openssl` at ~1.5 GB/s, and on the server's one
 * thread the hash was the largest part of a 200 MB PATCH's CPU. So when an
 * `openssl` binary is on the PATH the bytes are piped to `openssl dgst` as
 * they arrive: it hashes on another core, beside the socket and the file
 * writes, as distribution's goroutines do. Without one, Node's hash is used.
 *
 * Neither can go back to an earlier offset: a chunk that fails loses the
 * hash, and the commit hashes the file instead (hashFile).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { accessSync, constants, createReadStream } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Digest } from '../../lib/digest.js';

export interface Sha256Stream {
  /** Feeds the next bytes; resolves when the hasher can take more. */
  update(chunk: Buffer): void | Promise<void>;
  /** The digest of everything fed, or undefined when the hasher failed (hash the file instead). */
  digest(): Promise<Digest | undefined>;
  /** Gives up: nothing more is fed, the hasher ends. */
  abort(): void;
}

let opensslPath: string | null | undefined;

/** `openssl` on the PATH, looked up once. */
function openssl(): string | null {
  if (opensslPath === undefined) {
    opensslPath = null;
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
      const candidate = join(dir || '.', 'openssl');
      try {
        accessSync(candidate, constants.X_OK);
        opensslPath = candidate;
        break;
      } catch {
        // not here
      }
    }
  }
  return opensslPath;
}

export function sha256Stream(): Sha256Stream {
  const binary = openssl();
  return binary ? new ExternalSha256(binary) : new InProcessSha256();
}

/** The sha256 of a whole file (an upload whose running hash was lost). */
export async function hashFile(path: string): Promise<Digest> {
  const hasher = sha256Stream();
  try {
    for await (const data of createReadStream(path, { highWaterMark: 1024 * 1024 })) await hasher.update(data as Buffer);
  } catch (err) {
    hasher.abort();
    throw err;
  }
  const digest = await hasher.digest();
  if (digest) return digest;
  const fallback = createHash('sha256');
  for await (const data of createReadStream(path, { highWaterMark: 1024 * 1024 })) fallback.update(data as Buffer);
  return `sha256:${fallback.digest('hex')}`;
}

class InProcessSha256 implements Sha256Stream {
  private readonly hash: Hash = createHash('sha256');
  private aborted = false;

  update(chunk: Buffer): void {
    if (!this.aborted) this.hash.update(chunk);
  }

  async digest(): Promise<Digest | undefined> {
    return this.aborted ? undefined : `sha256:${this.hash.digest('hex')}`;
  }

  abort(): void {
    this.aborted = true;
  }
}

/** `openssl dgst -sha256 -r` reading stdin; a failure of the child only makes digest() undefined. */
class ExternalSha256 implements Sha256Stream {
  private readonly child: ChildProcess;
  private failed = false;
  private readonly output: Promise<Digest | undefined>;

  constructor(binary: string) {
    this.child = spawn(binary, ['dgst', '-sha256', '-r'], { stdio: ['pipe', 'pipe', 'ignore'] });
    // EPIPE and the like: the child is gone, the digest will be undefined.
    this.child.stdin!.on('error', () => (this.failed = true));
    let out = '';
    this.child.stdout!.setEncoding('latin1').on('data', (text: string) => (out += text));
    this.output = new Promise((resolve) => {
      this.child.once('error', () => resolve(undefined));
      this.child.once('close', (code) => {
        const hex = /^[0-9a-f]{64}\b/.exec(out)?.[0];
        resolve(code === 0 && hex && !this.failed ? `sha256:${hex}` : undefined);
      });
    });
  }

  update(chunk: Buffer): void | Promise<void> {
    const stdin = this.child.stdin!;
    if (this.failed || stdin.destroyed) {
      this.failed = true;
      return;
    }
    if (stdin.write(chunk)) return;
    return new Promise((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        resolve();
      };
      stdin.on('drain', done);
      stdin.on('close', done);
    });
  }

  digest(): Promise<Digest | undefined> {
    this.child.stdin!.end();
    return this.output;
  }

  abort(): void {
    this.failed = true;
    this.child.stdin!.destroy();
    this.child.kill();
  }
}
