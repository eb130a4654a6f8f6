/**
 * Merging compose files (13-merge.md): mappings merge key by key, sequences
 * append, shell commands (command, entrypoint, healthcheck.test) are replaced,
 * ports/volumes/secrets/configs merge entries sharing a unique key, and the
 * `!reset` / `!override` tags of the overriding file remove or replace.
 * Both sides are in canonical form (canonical.ts) so like meets like.
 */
import { childPath } from './source.js';

type Dict = Record<string, unknown>;

export interface MergeTags {
  resets: Set<string>;
  overrides: Set<string>;
}

const NO_TAGS: MergeTags = { resets: new Set(), overrides: new Set() };

const REPLACED = [/^services\.[^.]+\.(command|entrypoint)$/, /^services\.[^.]+\.healthcheck\.test$/];

/** The key that makes two entries of a sequence "the same" one, by attribute. */
const UNIQUE_KEYS: Array<[RegExp, (entry: Dict) => string]> = [
  [/^services\.[^.]+\.ports$/, (p) => `${p.host_ip ?? ''}|${p.target}|${p.published ?? ''}|${p.protocol ?? 'tcp'}`],
  [/^services\.[^.]+\.volumes$/, (v) => String(v.target)],
  [/^services\.[^.]+\.(secrets|configs)$/, (v) => String(v.target ?? v.source)],
];

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergeTrees(base: unknown, over: unknown, tags: MergeTags = NO_TAGS, path = ''): unknown {
  if (tags.overrides.has(path)) return over;
  if (isDict(base) && isDict(over)) return mergeMaps(base, over, tags, path);
  if (Array.isArray(base) && Array.isArray(over)) {
    if (REPLACED.some((re) => re.test(path))) return over;
    return mergeSequences(base, over, path);
  }
  return over === undefined ? base : over;
}

function mergeMaps(base: Dict, over: Dict, tags: MergeTags, path: string): Dict {
  const out: Dict = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const at = childPath(path, key);
    if (tags.resets.has(at)) {
      delete out[key];
      continue;
    }
    out[key] = key in base ? mergeTrees(base[key], value, tags, at) : withoutResets(value, tags, at);
  }
  return out;
}

/** What a file adds where nothing was before: its `!reset` entries go all the same (compose v2 alike, even in one file). */
function withoutResets(value: unknown, tags: MergeTags, path: string): unknown {
  if (tags.resets.size === 0) return value;
  if (isDict(value)) {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !tags.resets.has(childPath(path, key)))
      .map(([key, v]) => [key, withoutResets(v, tags, childPath(path, key))]));
  }
  if (Array.isArray(value)) return value.map((v, i) => withoutResets(v, tags, childPath(path, i)));
  return value;
}

function mergeSequences(base: unknown[], over: unknown[], path: string): unknown[] {
  const unique = UNIQUE_KEYS.find(([re]) => re.test(path))?.[1];
  if (unique) {
    const byKey = new Map<string, unknown>();
    for (const entry of [...base, ...over]) {
      const key = unique(entry as Dict);
      const prior = byKey.get(key);
      byKey.set(key, prior === undefined ? entry : mergeTrees(prior, entry));
    }
    return [...byKey.values()];
  }
  // Lists of plain values (dns, cap_add, profiles, …) keep one copy of each value.
  if ([...base, ...over].every((v) => typeof v !== 'object' || v === null)) return [...new Set([...base, ...over])];
  return [...base, ...over];
}
