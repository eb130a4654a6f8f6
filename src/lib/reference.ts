/**
 * Image references ("busybox", "myreg:5000/team/app:1.2@sha256:…") parsed and
 * normalised the way github.com/distribution/reference does it, because the
 * Docker CLI, the Engine API and registries all agree on that grammar:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path
 *   domain    := host [":" port]      host: DNS-ish name, IPv4, or [IPv6]
 *   path      := component ("/" component)*
 *   component := [a-z0-9]+ (separator [a-z0-9]+)*   separator: "." "_" "__" "-"+
 *   tag       := [\w][\w.-]{0,127}
 *
 * Error messages are Docker's word for word: clients and scripts match on them.
 *
 * Deviations from the Go library, on purpose:
 * - Only sha256 digests are accepted (the engine stores nothing else); other
 *   algorithms fail with Docker's "unsupported digest algorithm".
 * - Inputs longer than MAX_INPUT_LENGTH fail fast as "invalid reference format".
 *   Go's RE2 is linear-time; JavaScript's backtracking engine is not, and these
 *   strings come straight from API clients.
 */
import type { Digest } from './digest.js';
import { invalid, type EngineError } from './errors.js';

export interface Reference {
  /** "docker.io", "localhost:5000", "[::1]:5000"; "" only from parseReference (not normalised). */
  domain: string;
  /** "library/busybox", "team/app". */
  path: string;
  tag?: string;
  digest?: Digest;
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const LOCALHOST = 'localhost';

/**
 * Longest name (domain + "/" + path) Docker accepts. Docker 20.10 (and most
 * versions of the Go library) count the whole name, after normalisation, so
 * "docker.io/library/" counts too; the newest library counts only the path.
 */
export const MAX_NAME_LENGTH = 255;
/** Well above any valid reference (255-char name + 128-char tag + digest). */
const MAX_INPUT_LENGTH = 4096;

// ---- The grammar, built from the same pieces as the Go library's regexp.go ----

const ALPHANUMERIC = '[a-z0-9]+';
// "-+" rather than the historical "-*": the same language, but "-*" can match
// empty, which makes the repeated group below backtrack exponentially in JS.
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const PATH = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN_AND_PORT}/)?${PATH}`;

/** Captures: 1 name, 2 tag, 3 digest. */
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** Captures: 1 domain (may be undefined), 2 path. */
const NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${PATH})$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const ID_PREFIX_RE = /^(?:sha256:)?([a-f0-9]{1,64})$/;
/** go-digest's general digest shape, used only to pick between its two error messages. */
const ANY_DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

// ---- Docker's messages ----

const ERR_INVALID_FORMAT = 'invalid reference format';
const ERR_NAME_UPPERCASE = 'repository name must be lowercase';
const ERR_NAME_EMPTY = 'repository name must have at least one component';
const ERR_NAME_TOO_LONG = `repository name must not be more than ${MAX_NAME_LENGTH} characters`;
const ERR_TAG_FORMAT = 'invalid tag format';

/**
 * Parses what a user typed ("busybox", "user/app:1", "localhost:5000/x@sha256:…")
 * into a fully qualified reference: Docker Hub names get domain "docker.io",
 * single-component Hub names get the "library/" namespace.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (IDENTIFIER_RE.test(s)) {
    throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const remote = remainder.split(':', 1)[0]!;
  if (remote.toLowerCase() !== remote) {
    throw invalid(`${ERR_INVALID_FORMAT}: repository name (${remote}) must be lowercase`);
  }
  return parseReference(`${domain}/${remainder}`);
}

/**
 * Parses a reference without normalising it (Go's reference.Parse): "busybox"
 * stays domain "" and path "busybox". For names that must already be canonical,
 * such as repository names in registry URLs.
 */
export function parseReference(s: string): Reference {
  if (s === '') throw invalid(ERR_NAME_EMPTY);
  if (s.length > MAX_INPUT_LENGTH) throw invalid(ERR_INVALID_FORMAT);
  const match = REFERENCE_RE.exec(s);
  if (match === null) throw formatError(s);
  const name = match[1]!;
  if (name.length > MAX_NAME_LENGTH) throw invalid(ERR_NAME_TOO_LONG);
  const { domain, path } = splitName(name);
  const ref: Reference = { domain, path };
  if (match[2] !== undefined) ref.tag = match[2];
  if (match[3] !== undefined) ref.digest = parseReferenceDigest(match[3]);
  return ref;
}

/** Tells "has an uppercase letter" apart from plain garbage, as Go's Parse does. */
function formatError(s: string): EngineError {
  const lower = s.toLowerCase();
  if (lower !== s && REFERENCE_RE.test(lower)) return invalid(ERR_NAME_UPPERCASE);
  return invalid(ERR_INVALID_FORMAT);
}

/** Splits an already matched name at its domain, if it has one. */
function splitName(name: string): { domain: string; path: string } {
  const match = NAME_RE.exec(name);
  if (match === null) return { domain: '', path: name };
  return { domain: match[1] ?? '', path: match[2]! };
}

/** go-digest's validation, narrowed to sha256, with its messages. */
function parseReferenceDigest(value: string): Digest {
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  if (algorithm !== 'sha256') {
    throw invalid(ANY_DIGEST_RE.test(value) ? 'unsupported digest algorithm' : 'invalid checksum digest format');
  }
  if (encoded.length !== 64) throw invalid('invalid checksum digest length');
  if (!IDENTIFIER_RE.test(encoded)) throw invalid('invalid checksum digest format');
  return value as Digest;
}

/**
 * Docker's rule for "is the first component a registry?": yes if it is
 * "localhost", contains "." or ":", or has uppercase letters (namespaces are
 * lowercase, so it can only be a host). Otherwise the name lives on Docker Hub.
 */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash === -1) {
    // A single component ("ubuntu", "ubuntu:22.04") is always an official Hub image,
    // never a bare "host:port".
    return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  }
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === LOCALHOST || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    remainder = rest;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) {
    // "docker.io/ubuntu" means "docker.io/library/ubuntu", but only on Docker Hub.
    remainder = OFFICIAL_REPO_PREFIX + remainder;
  }
  return { domain, remainder };
}

// ---- Building and printing references ----

/** Adds the tag "latest" when the reference names neither a tag nor a digest. */
export function withDefaultTag(r: Reference): Reference {
  return isNameOnly(r) ? { ...r, tag: DEFAULT_TAG } : r;
}

/** Validates a bare tag, as given to `docker tag` or the import/commit/tag endpoints. */
export function parseTag(tag: string): string {
  if (!TAG_RE.test(tag)) throw invalid(ERR_TAG_FORMAT);
  return tag;
}

/** The reference with `tag` set (validated), keeping any digest. */
export function withTag(r: Reference, tag: string): Reference {
  return { ...r, tag: parseTag(tag) };
}

/** The repository alone, without tag or digest. */
export function nameOnly(r: Reference): Reference {
  return { domain: r.domain, path: r.path };
}

/**
 * What a pull resolves: "name:tag@digest" pulls by digest (the tag is
 * informational and dropped, as Go's ParseDockerRef does), a bare name pulls
 * "latest".
 */
export function pullReference(r: Reference): Reference {
  if (r.digest !== undefined) return { domain: r.domain, path: r.path, digest: r.digest };
  return withDefaultTag(r);
}

export function isNameOnly(r: Reference): boolean {
  return r.tag === undefined && r.digest === undefined;
}

/** "docker.io/library/busybox". */
export function fullName(r: Reference): string {
  return r.domain === '' ? r.path : `${r.domain}/${r.path}`;
}

/**
 * The name as the Docker UI shows it: Docker Hub's domain dropped, and its
 * "library/" namespace dropped when nothing is nested below it.
 */
export function familiarName(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return fullName(r);
  if (r.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = r.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return r.path;
}

/**
 * What dockerd's reference store refuses to tag (reference/store.go): a digest
 * reference, and the name "sha256", which would read as an image ID.
 */
export function checkNewTag(r: Reference): Reference {
  if (r.digest !== undefined) throw invalid('refusing to create a tag with a digest reference');
  if (familiarName(r) === 'sha256') throw invalid('refusing to create an ambiguous tag using digest algorithm as name');
  return r;
}

/** "busybox:latest", "busybox@sha256:…", "busybox:1@sha256:…". */
export function familiarString(r: Reference): string {
  return familiarName(r) + suffix(r);
}

/** "docker.io/library/busybox:latest". */
export function normalizedString(r: Reference): string {
  return fullName(r) + suffix(r);
}

function suffix(r: Reference): string {
  return (r.tag === undefined ? '' : `:${r.tag}`) + (r.digest === undefined ? '' : `@${r.digest}`);
}

// ---- Image IDs typed where a reference may also go ----

/** A full image ID written as 64 hex characters (no "sha256:"). */
export function isFullIdentifier(s: string): boolean {
  return IDENTIFIER_RE.test(s);
}

/**
 * The hex part if `s` could be an image ID or a prefix of one ("3f5a",
 * "sha256:3f5a…"), else undefined. Docker tries a name first and an ID prefix
 * second, so "abc" finds the image tagged abc:latest before an ID starting "abc".
 */
export function idPrefixOf(s: string): string | undefined {
  return ID_PREFIX_RE.exec(s)?.[1];
}

/** What an argument like `docker rmi X` or `docker run X` means (Go's ParseAnyReference). */
export type AnyReference = { kind: 'id'; id: Digest } | { kind: 'named'; ref: Reference };

export function parseAnyReference(s: string): AnyReference {
  if (IDENTIFIER_RE.test(s)) return { kind: 'id', id: `sha256:${s}` };
  if (s.startsWith('sha256:') && IDENTIFIER_RE.test(s.slice(7))) return { kind: 'id', id: s as Digest };
  return { kind: 'named', ref: parseNormalizedNamed(s) };
}
