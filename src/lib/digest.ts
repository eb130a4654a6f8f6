import { createHash, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { invalid } from './errors.js';

/** A content digest as Docker and OCI write it: "sha256:" + 64 lowercase hex. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;

/** The diff ID of an empty tar (two zero blocks): a commit with no changes, which adds no layer. */
export const EMPTY_TAR_DIGEST: Digest = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export function isDigest(value: string): value is Digest {
  return DIGEST_RE.test(value);
}

export function isHex64(value: string): boolean {
  return HEX64_RE.test(value);
}

/** Parses a digest, refusing anything that is not sha256 + 64 hex (so it is safe in paths). */
export function parseDigest(value: string): Digest {
  if (!isDigest(value)) throw invalid(`invalid digest: ${JSON.stringify(value)}`);
  return value;
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of a digest ("sha256:abc" -> "abc"). */
export function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(7) : digest;
}

/** A short ID as Docker prints it: the first 12 hex characters. */
export function shortId(digestOrHex: string): string {
  return hexOf(digestOrHex).slice(0, 12);
}

/** 64 random hex characters, Docker's format for container and exec IDs. */
export function randomId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Chain ID of a layer stack as the OCI image spec defines it:
 * ChainID(L0) = DiffID(L0); ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)).
 */
export function chainId(parentChain: Digest | null, diffId: Digest): Digest {
  return parentChain === null ? diffId : sha256(`${parentChain} ${diffId}`);
}

export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  let parent: Digest | null = null;
  for (const diffId of diffIds) {
    parent = chainId(parent, diffId);
    out.push(parent);
  }
  return out;
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestingStream extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  /** Valid once the stream has ended. */
  digest(): Digest {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
}
