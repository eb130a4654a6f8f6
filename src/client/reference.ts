/**
 * The reference helpers the client and CLI need, over the one parser in
 * src/lib/reference.ts (distribution/reference semantics and messages).
 */
import { familiarName, fullName, parseNormalizedNamed as parseLib, type Reference } from '../lib/reference.js';
import { isEngineError } from '../lib/errors.js';

export interface ParsedReference {
  /** Fully qualified name without tag or digest: `docker.io/library/busybox`. */
  name: string;
  tag?: string;
  digest?: string;
}

/** A reference that does not parse; its message is the library's wording. */
export class ReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceError';
  }
}

export function parseNormalizedNamed(text: string): ParsedReference {
  let ref: Reference;
  try {
    ref = parseLib(text);
  } catch (err) {
    if (isEngineError(err, 'invalid')) throw new ReferenceError(err.message);
    throw err;
  }
  return { name: fullName(ref), tag: ref.tag, digest: ref.digest };
}

function familiar(text: string): { repo: string; ref: Reference } | undefined {
  try {
    const ref = parseLib(text);
    return { repo: familiarName(ref), ref };
  } catch {
    return undefined;
  }
}

/** Parses a `repo:tag` string into its familiar repository name and tag. */
export function familiarRepoTag(text: string): { repo: string; tag: string } | undefined {
  const found = familiar(text);
  return found?.ref.tag !== undefined ? { repo: found.repo, tag: found.ref.tag } : undefined;
}

/** Parses a `repo@digest` string into its familiar repository name and digest. */
export function familiarRepoDigest(text: string): { repo: string; digest: string } | undefined {
  const found = familiar(text);
  return found?.ref.digest !== undefined ? { repo: found.repo, digest: found.ref.digest } : undefined;
}

/** What run/create pull for a user's image reference: familiar repository and tag (`latest` by default). */
export function pullTarget(text: string): { repo: string; tag: string; display: string } {
  let ref: Reference;
  try {
    ref = parseLib(text);
  } catch (err) {
    if (isEngineError(err, 'invalid')) throw new ReferenceError(err.message);
    throw err;
  }
  const repo = familiarName(ref);
  if (ref.digest) return { repo, tag: ref.digest, display: `${repo}@${ref.digest}` };
  const tag = ref.tag ?? 'latest';
  return { repo, tag, display: `${repo}:${tag}` };
}
