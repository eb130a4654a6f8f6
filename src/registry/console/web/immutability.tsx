/** A project's tag immutability rules: matching tags, once pushed, can be neither overwritten nor deleted. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { enc } from './api.js';
import { act, policyCall as call, type Selector } from './policy-api.js';
import { ANY, SelectorFields } from './selector-fields.js';

export function ImmutabilitySection({ project, manager }: { project: string; manager: boolean }) {
  const [rules, setRules] = useState<Selector[] | undefined>(undefined);
  const [draft, setDraft] = useState<Selector>(ANY);
  const notify = useNotify();
  const base = `/projects/${enc(project)}/immutability`;
  const load = () => call<{ rules: Selector[] }>('GET', base).then((r) => setRules(r.rules), (err: Error) => notify(err.message, true));
  useEffect(() => void load(), [base]);
  if (!rules) return <p>Loading…</p>;
  const save = (next: Selector[], done: string) => act(notify, () => call('PUT', base, { rules: next }), done, load);
  const add = (e: Event) => {
    e.preventDefault();
    void save([...rules, draft], 'Immutability rule added');
  };
  const columns: Column<Selector & { i: number }>[] = [
    { key: 'repositories', label: 'Repositories', render: (r) => <code>{r.repositories}</code> },
    { key: 'tags', label: 'Tags', render: (r) => <code>{r.tags}</code> },
  ];
  if (manager) {
    columns.push({ key: 'actions', label: 'Actions', render: (r) => <button type="button" onClick={() => save(rules.filter((_, i) => i !== r.i), 'Immutability rule removed')}>Remove rule {r.i + 1}</button> });
  }
  return (
    <section aria-labelledby="immutability-title">
      <h2 id="immutability-title">Tag immutability</h2>
      <p class="hint">A matching tag can be pushed once; overwriting it with another image or deleting it is refused.</p>
      <DataTable id="immutable-rules" caption={`Immutability rules of ${project}`} rows={rules.map((r, i) => ({ ...r, i }))} columns={columns} rowKey={(r) => String(r.i + 1)} empty="No rules: every tag may change." />
      {manager && (
        <form id="add-immutable-rule" class="inline" onSubmit={add}>
          <SelectorFields value={draft} onChange={setDraft} />
          <button type="submit">Add rule</button>
        </form>
      )}
    </section>
  );
}
