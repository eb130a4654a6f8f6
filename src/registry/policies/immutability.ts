/**
 * Tag immutability rules: a tag that a rule selects (by repository and tag
 * pattern) may be pushed once; moving it to another manifest or deleting it
 * (by tag, or by the digest it points at) is refused with DENIED. Pushing
 * the same manifest again changes nothing and is allowed, so a retried
 * `docker push` still succeeds. Retention skips such tags.
 */
import { invalid } from '../../lib/errors.js';
import { parseSelector, selects, type Selector } from './patterns.js';

export const MAX_IMMUTABLE_RULES = 15;

export type ImmutableRule = Selector;

export function parseImmutableRules(value: unknown): ImmutableRule[] {
  if (!Array.isArray(value)) throw invalid('rules must be a list');
  if (value.length > MAX_IMMUTABLE_RULES) throw invalid(`at most ${MAX_IMMUTABLE_RULES} rules`);
  return value.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw invalid(`rule ${i + 1} must be an object`);
    return parseSelector(raw as Record<string, unknown>);
  });
}

export function isImmutable(rules: ImmutableRule[], repository: string, tag: string): boolean {
  return rules.some((r) => selects(r, repository, tag));
}
