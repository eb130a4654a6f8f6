/**
 * Validation of what arrives in URLs: repository names, tags, digests and
 * upload IDs. Everything is checked with the spec's grammar before it is used
 * to build a path, and the grammar admits no "/"-free component that could
 * climb out of the storage root ("." and ".." cannot match: every component
 * starts with [a-z0-9]) nor collide with the store's own "_"-prefixed folders.
 */
import { isDigest, type Digest } from '../lib/digest.js';
import { registryError } from './errors.js';

/** The spec's <name> grammar. Separators are "-+" (not "-*"), so matching is linear. */
const NAME_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const UPLOAD_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** go-digest's general shape, to tell "not a digest at all" from "a digest we cannot verify". */
const ANY_DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** distribution's limit: clients count "host:port/" too, so keep well within 255. */
export const MAX_NAME_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

export function isTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isUploadId(id: string): boolean {
  return UPLOAD_ID_RE.test(id);
}

export function looksLikeDigest(value: string): boolean {
  return ANY_DIGEST_RE.test(value);
}

export function checkRepositoryName(name: string): string {
  if (!isRepositoryName(name)) throw registryError('NAME_INVALID', 'invalid repository name', { name });
  return name;
}

/**
 * A digest from a client. Only sha256 is stored; other well-formed algorithms
 * are refused as unsupported digests (400 DIGEST_INVALID, as distribution does).
 */
export function checkDigest(value: string | null | undefined): Digest {
  if (!value) throw registryError('DIGEST_INVALID', 'digest missing');
  if (isDigest(value)) return value;
  if (looksLikeDigest(value)) throw registryError('DIGEST_INVALID', `unsupported digest: ${value}`, { digest: value });
  throw registryError('DIGEST_INVALID', `invalid digest: ${value}`, { digest: value });
}

/** A manifest reference from a URL: a digest, or a tag. */
export type ManifestReference = { digest: Digest; tag?: undefined } | { tag: string; digest?: undefined };

export function parseManifestReference(value: string): ManifestReference {
  if (value.includes(':')) return { digest: checkDigest(value) };
  if (!isTag(value)) throw registryError('TAG_INVALID', `invalid tag: ${value}`, { tag: value });
  return { tag: value };
}

/**
 * A reference to read or delete: a manifest cannot exist under a name that is
 * not a valid tag, so such a name is unknown (404 MANIFEST_UNKNOWN, as the OCI
 * conformance suite expects), not a malformed request.
 */
export function lookupManifestReference(value: string): ManifestReference {
  if (!value.includes(':') && !isTag(value)) throw registryError('MANIFEST_UNKNOWN', `manifest unknown: ${value}`, { tag: value });
  return parseManifestReference(value);
}
