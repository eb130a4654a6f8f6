/**
 * Tag retention, decided without touching storage.
 *
 * A policy is a list of rules; each selects tags by repository and tag
 * pattern and retains either the `latest` N of them (by push time, the time
 * the tag was last set; newer first, ties by name) in each repository, or
 * `all` of them. Rules are applied to each repository on its own:
 *
 * - a repository no rule's repository pattern matches is left alone;
 * - in a repository some rule matches, a tag is kept when at least one rule
 *   retains it, and every other tag is deleted (as in Harbor: retention
 *   lists what stays);
 * - an immutable tag is never deleted, and is not counted against N either
 *   (it stays anyway, so it should not push a mutable tag out).
 *
 * Only tags go; the manifests and blobs they leave untagged are reclaimed
 * by `berth registry gc --delete-untagged`.
 */
import { invalid } from '../../lib/errors.js';
import { matches, parseSelector, selects, type Selector } from './patterns.js';
import type { RetentionReport } from '../console/web/wire.js';

export const MAX_RULES = 15;

export interface RetentionRule extends Selector {
  keep: 'latest' | 'all';
  /** For `latest`: how many tags to keep (1 or more). */
  count?: number;
}

export interface TagInfo {
  /** The repository's name inside the project. */
  repository: string;
  tag: string;
  digest: string;
  /** Milliseconds since the epoch when the tag was last set. */
  pushed: number;
  immutable: boolean;
}

export interface RetentionPlan {
  keep: TagInfo[];
  delete: TagInfo[];
}

export type { RetentionReport };

export function parseRetentionRules(value: unknown): RetentionRule[] {
  if (!Array.isArray(value)) throw invalid('rules must be a list');
  if (value.length > MAX_RULES) throw invalid(`at most ${MAX_RULES} rules`);
  return value.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw invalid(`rule ${i + 1} must be an object`);
    const r = raw as Record<string, unknown>;
    const selector = parseSelector(r);
    if (r.keep === 'all') return { ...selector, keep: 'all' };
    if (r.keep !== 'latest') throw invalid(`rule ${i + 1}: keep must be "latest" or "all"`);
    if (typeof r.count !== 'number' || !Number.isInteger(r.count) || r.count < 1 || r.count > 10000) {
      throw invalid(`rule ${i + 1}: count must be a whole number from 1 to 10000`);
    }
    return { ...selector, keep: 'latest', count: r.count };
  });
}

/** What the rules keep and delete among `tags` (any number of repositories). */
export function planRetention(rules: RetentionRule[], tags: TagInfo[]): RetentionPlan {
  const byRepo = new Map<string, TagInfo[]>();
  for (const t of tags) byRepo.set(t.repository, [...(byRepo.get(t.repository) ?? []), t]);
  const plan: RetentionPlan = { keep: [], delete: [] };
  for (const [repository, repoTags] of byRepo) {
    const applying = rules.filter((r) => matches(r.repositories, repository));
    if (applying.length === 0) {
      plan.keep.push(...repoTags);
      continue;
    }
    const kept = new Set<TagInfo>(repoTags.filter((t) => t.immutable));
    for (const rule of applying) for (const t of retainedBy(rule, repoTags)) kept.add(t);
    for (const t of repoTags) (kept.has(t) ? plan.keep : plan.delete).push(t);
  }
  return plan;
}

function retainedBy(rule: RetentionRule, tags: TagInfo[]): TagInfo[] {
  const selected = tags.filter((t) => !t.immutable && selects(rule, t.repository, t.tag));
  if (rule.keep === 'all') return selected;
  const newestFirst = [...selected].sort((a, b) => b.pushed - a.pushed || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return newestFirst.slice(0, rule.count);
}
