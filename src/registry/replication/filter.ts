/**
 * Which images a replication rule copies: glob patterns on the repository
 * name below the project and on the tag, in Harbor's (doublestar's) syntax:
 * `*` any run of characters but "/", `**` any run at all, `?` one character
 * but "/", `{a,b}` either alternative. Anything else stands for itself.
 */
import { invalid } from '../../lib/errors.js';

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  const known = cache.get(pattern);
  if (known) return known;
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      out += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      out += ')';
      depth--;
    } else if (c === ',' && depth > 0) out += '|';
    else out += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  if (depth !== 0) throw invalid(`pattern ${JSON.stringify(pattern)} has an unclosed "{"`);
  const re = new RegExp(`^${out}$`);
  cache.set(pattern, re);
  return re;
}

export function globMatch(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

export interface Filter {
  project: string;
  /** On the name below the project: "busybox", "team/**". */
  repositories: string;
  tags: string;
}

/** Whether a rule's filter takes `repository` (a full name, project first) at `tag`. */
export function filterMatches(filter: Filter, repository: string, tag: string): boolean {
  const prefix = `${filter.project}/`;
  if (!repository.startsWith(prefix)) return false;
  return globMatch(filter.repositories, repository.slice(prefix.length)) && globMatch(filter.tags, tag);
}
