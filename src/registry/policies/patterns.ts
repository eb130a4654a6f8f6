/**
 * The patterns of retention and immutability rules, as Harbor writes them
 * (doublestar globs): `*` any run of characters but "/", `**` any run
 * including "/", `?` one character but "/", `{a,b}` one of the alternatives
 * (not nested). Everything else stands for itself. A pattern must match the
 * whole name. Repository patterns see the name inside the project
 * ("busybox", "team/app"), tag patterns the tag.
 */
import { invalid } from '../../lib/errors.js';

const MAX_PATTERN = 256;
const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  checkPattern(pattern);
  let source = '';
  let inGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      while (pattern[i + 1] === '*') i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{' && !inGroup) {
      source += '(?:';
      inGroup = true;
    } else if (c === '}' && inGroup) {
      source += ')';
      inGroup = false;
    } else if (c === ',' && inGroup) source += '|';
    else source += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  if (inGroup) throw invalid(`pattern ${JSON.stringify(pattern)} has an unclosed "{"`);
  const re = new RegExp(`^(?:${source})$`, 's');
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

export function checkPattern(pattern: unknown): asserts pattern is string {
  if (typeof pattern !== 'string' || pattern === '' || pattern.length > MAX_PATTERN) {
    throw invalid(`a pattern is a non-empty string of at most ${MAX_PATTERN} characters`);
  }
  if (/\{[^}]*\{/.test(pattern)) throw invalid(`pattern ${JSON.stringify(pattern)}: "{…}" groups cannot be nested`);
}

export function matches(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

/** A rule's scope: which repositories (inside the project) and which tags it is about. */
export interface Selector {
  repositories: string;
  tags: string;
}

export function selects(rule: Selector, repository: string, tag: string): boolean {
  return matches(rule.repositories, repository) && matches(rule.tags, tag);
}

/** A selector from a JSON body, with "**" for a part left out. */
export function parseSelector(value: Record<string, unknown>): Selector {
  const repositories = value.repositories ?? '**';
  const tags = value.tags ?? '**';
  checkPattern(repositories);
  checkPattern(tags);
  globToRegExp(repositories);
  globToRegExp(tags);
  return { repositories, tags };
}
