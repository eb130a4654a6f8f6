/**
 * Runs a project's retention rules against storage: reads every tag of the
 * project's repositories (or of one, after a push to it) with its push time,
 * plans with planRetention, and unless it is a dry run deletes the tags the
 * plan drops, each one only if it still points where it did when planned.
 */
import { stat } from 'node:fs/promises';
import type { Digest } from '../../lib/digest.js';
import type { Registry } from '../registry.js';
import { isImmutable, type ImmutableRule } from './immutability.js';
import { planRetention, type RetentionRule, type TagInfo } from './retention.js';
import type { RetentionReport } from './store.js';

export interface RetentionRunOptions {
  project: string;
  rules: RetentionRule[];
  immutable: ImmutableRule[];
  dryRun: boolean;
  trigger: RetentionReport['trigger'];
  operator: string;
  /** Only this repository (full name); all of the project's otherwise. */
  repository?: string;
  /** Called for each tag deleted (audit log, webhooks). */
  onDeleted: (repository: string, tag: string, digest: string) => Promise<void>;
}

export async function runRetention(registry: Registry, o: RetentionRunOptions): Promise<RetentionReport> {
  const started = new Date().toISOString();
  const repos = o.repository !== undefined ? [o.repository] : (await registry.repos.list()).filter((r) => r.startsWith(`${o.project}/`));
  const tags: TagInfo[] = [];
  for (const name of repos) tags.push(...(await tagInfos(registry, name, o.project, o.immutable)));
  const plan = planRetention(o.rules, tags);
  const report: RetentionReport = { dry_run: o.dryRun, trigger: o.trigger, operator: o.operator, started, finished: '', kept: plan.keep.length, deleted: [], errors: [] };
  for (const t of plan.delete) {
    const full = `${o.project}/${t.repository}`;
    if (!o.dryRun) {
      // A push may have moved the tag since it was read: then it is not the tag that was planned away.
      if (!(await registry.deleteTagIf(full, t.tag, t.digest as Digest))) continue;
      await o.onDeleted(full, t.tag, t.digest).catch((err: unknown) => report.errors.push(`${full}:${t.tag}: ${(err as Error).message}`));
    }
    report.deleted.push({ repository: full, tag: t.tag, digest: t.digest });
  }
  report.finished = new Date().toISOString();
  return report;
}

async function tagInfos(registry: Registry, name: string, project: string, immutable: ImmutableRule[]): Promise<TagInfo[]> {
  const repository = name.slice(project.length + 1);
  const out: TagInfo[] = [];
  for (const [tag, digest] of await registry.repos.tagMap(name)) {
    // A tag deleted since the listing simply drops out.
    const pushed = await stat(registry.layout.tag(name, tag)).then((s) => s.mtimeMs, () => undefined);
    if (pushed !== undefined) out.push({ repository, tag, digest, pushed, immutable: isImmutable(immutable, repository, tag) });
  }
  return out;
}
