/**
 * Docker image reference normalisation (distribution/reference), as much as
 * the client needs: `busybox` → `docker.io/library/busybox:latest`, and the
 * reverse "familiar" form for display. Errors use the library's wording.
 */

export interface ParsedReference {
  /** Fully qualified name without tag or digest: `docker.io/library/busybox`. */
  name: string;
  tag?: string;
  digest?: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_PREFIX = 'library/';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[a-fA-F0-9:]+\](?::[0-9]+)?$/;
const NAME_TOTAL_LENGTH_MAX = 255;

export class ReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceError';
  }
}

function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    const remainder = name;
    return [DEFAULT_DOMAIN, remainder.includes('/') ? remainder : OFFICIAL_PREFIX + remainder];
  }
  const remainder = name.slice(slash + 1);
  if (first === DEFAULT_DOMAIN && !remainder.includes('/')) return [first, OFFICIAL_PREFIX + remainder];
  return [first, remainder];
}

/** distribution/reference ParseNormalizedNamed. */
export function parseNormalizedNamed(text: string): ParsedReference {
  const invalid = () => new ReferenceError('invalid reference format');
  if (text === '') throw invalid();
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid();
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid();
  }
  const [domain, path] = splitDomain(rest);
  if (path.toLowerCase() !== path) {
    throw new ReferenceError(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  if (!DOMAIN.test(domain) || !path.split('/').every((c) => COMPONENT.test(c))) throw invalid();
  const name = `${domain}/${path}`;
  if (name.length > NAME_TOTAL_LENGTH_MAX) throw new ReferenceError(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  return { name, tag, digest };
}

/** `docker.io/library/busybox` → `busybox`; other registries stay qualified. */
export function familiarName(name: string): string {
  if (!name.startsWith(`${DEFAULT_DOMAIN}/`)) return name;
  const path = name.slice(DEFAULT_DOMAIN.length + 1);
  return path.startsWith(OFFICIAL_PREFIX) && !path.slice(OFFICIAL_PREFIX.length).includes('/') ? path.slice(OFFICIAL_PREFIX.length) : path;
}

/** Parses a `repo:tag` string into its familiar repository name and tag, or undefined when it is not one. */
export function familiarRepoTag(text: string): { repo: string; tag: string } | undefined {
  try {
    const ref = parseNormalizedNamed(text);
    return ref.tag !== undefined ? { repo: familiarName(ref.name), tag: ref.tag } : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a `repo@digest` string into its familiar repository name and digest. */
export function familiarRepoDigest(text: string): { repo: string; digest: string } | undefined {
  try {
    const ref = parseNormalizedNamed(text);
    return ref.digest !== undefined ? { repo: familiarName(ref.name), digest: ref.digest } : undefined;
  } catch {
    return undefined;
  }
}
