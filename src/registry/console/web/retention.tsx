/**
 * A project's tag retention: its rules (keep the latest N tags, or all
 * matching ones), whether they run after each push and on what schedule, a
 * dry run that lists what would go, a real run, and the last run's report.
 */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { enc } from './api.js';
import { act, policyCall as call, ruleText, type Retention, type RetentionReport, type RetentionRule } from './policy-api.js';
import { ScheduleForm } from './schedule-form.js';
import { ANY, SelectorFields } from './selector-fields.js';

export function RetentionSection({ project, manager }: { project: string; manager: boolean }) {
  const [policy, setPolicy] = useState<Retention | undefined>(undefined);
  const [draft, setDraft] = useState<RetentionRule>({ ...ANY, keep: 'latest', count: 10 });
  const [report, setReport] = useState<RetentionReport | undefined>(undefined);
  const notify = useNotify();
  const base = `/projects/${enc(project)}/retention`;
  const load = () => call<Retention>('GET', base).then(setPolicy, (err: Error) => notify(err.message, true));
  useEffect(() => void load(), [base]);
  if (!policy) return <p>Loading…</p>;
  const save = (change: Partial<Pick<Retention, 'rules' | 'run_after_push'>>, done: string) => act(notify, () => call('PUT', base, change), done, load);
  const add = (e: Event) => {
    e.preventDefault();
    const rule = draft.keep === 'all' ? { repositories: draft.repositories, tags: draft.tags, keep: 'all' as const } : draft;
    void save({ rules: [...policy.rules, rule] }, 'Retention rule added');
  };
  const run = async (dryRun: boolean) => {
    if (!dryRun && !window.confirm(`Delete the tags of ${project} that no rule retains?`)) return;
    await act(notify, async () => setReport(await call<RetentionReport>('POST', `${base}/run`, { dry_run: dryRun })), dryRun ? 'Dry run done' : 'Retention run done', load);
  };
  const columns: Column<RetentionRule & { i: number }>[] = [
    { key: 'repositories', label: 'Repositories', render: (r) => <code>{r.repositories}</code> },
    { key: 'tags', label: 'Tags', render: (r) => <code>{r.tags}</code> },
    { key: 'keep', label: 'Keep', render: (r) => ruleText(r) },
  ];
  if (manager) {
    columns.push({ key: 'actions', label: 'Actions', render: (r) => <button type="button" onClick={() => save({ rules: policy.rules.filter((_, i) => i !== r.i) }, 'Retention rule removed')}>Remove rule {r.i + 1}</button> });
  }
  const shown = report ?? policy.last_run ?? undefined;
  return (
    <section aria-labelledby="retention-title">
      <h2 id="retention-title">Tag retention</h2>
      <p class="hint">In each repository a rule covers, tags that no rule retains are deleted; immutable tags always stay. <code>*</code> matches within a name part, <code>**</code> across "/".</p>
      <label class="check">
        <input type="checkbox" id="retention-after-push" disabled={!manager} checked={policy.run_after_push}
          onChange={(e) => save({ run_after_push: e.currentTarget.checked }, e.currentTarget.checked ? 'Retention now runs after each push' : 'Retention runs only on demand')} />
        Run after each push
      </label>
      <ScheduleForm idPrefix="retention" schedule={policy.schedule} nextRun={policy.next_run} disabled={!manager}
        save={async (schedule) => void (await call('PUT', base, { schedule }), await load())} />
      <DataTable id="retention-rules" caption={`Retention rules of ${project}`} rows={policy.rules.map((r, i) => ({ ...r, i }))} columns={columns} rowKey={(r) => String(r.i + 1)} empty="No rules: nothing is deleted." />
      {manager && (
        <>
          <form id="add-retention-rule" class="inline" onSubmit={add}>
            <SelectorFields value={draft} onChange={(s) => setDraft({ ...draft, ...s })} />
            <label>
              Keep
              <select name="keep" value={draft.keep} onChange={(e) => setDraft({ ...draft, keep: e.currentTarget.value as RetentionRule['keep'] })}>
                <option value="latest">the latest N pushed</option>
                <option value="all">all matching</option>
              </select>
            </label>
            {draft.keep === 'latest' && (
              <label>
                N
                <input name="count" type="number" min={1} required value={draft.count} onInput={(e) => setDraft({ ...draft, count: Number(e.currentTarget.value) })} />
              </label>
            )}
            <button type="submit">Add rule</button>
          </form>
          <div class="inline">
            <button type="button" id="retention-dry-run" onClick={() => run(true)}>Dry run</button>
            <button type="button" id="retention-run" class="danger" onClick={() => run(false)}>Run now</button>
          </div>
        </>
      )}
      {shown && <ReportView report={shown} />}
    </section>
  );
}

function ReportView({ report }: { report: RetentionReport }) {
  const verb = report.dry_run ? 'would delete' : 'deleted';
  return (
    <div id="retention-report" class="card" role="status">
      <p>
        {report.dry_run ? 'Dry run' : 'Run'} ({report.trigger}, by {report.operator}) at {report.finished.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}: {verb} {report.deleted.length} tag{report.deleted.length === 1 ? '' : 's'}, kept {report.kept}.
      </p>
      {report.deleted.length > 0 && (
        <ul class="deleted-tags">
          {report.deleted.map((d) => <li key={`${d.repository}:${d.tag}`}><code>{d.repository}:{d.tag}</code></li>)}
        </ul>
      )}
      {report.errors.map((e) => <p key={e} class="error">{e}</p>)}
    </div>
  );
}
