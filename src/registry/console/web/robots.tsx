/** A project's robot accounts for CI: made with a set of actions; the secret is shown once, right after. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { isoTime } from '../../../dashboard/web/format.js';
import { call, enc, type Robot } from './api.js';
import { CopyField } from './copy.js';

const ACTIONS = ['pull', 'push', 'delete'];

export function Robots({ project }: { project: string }) {
  const [robots, setRobots] = useState<Robot[]>([]);
  const [name, setName] = useState('');
  const [actions, setActions] = useState(new Set(['pull']));
  const [created, setCreated] = useState<{ name: string; secret: string } | undefined>(undefined);
  const notify = useNotify();
  const base = `/projects/${enc(project)}/robots`;
  const load = () => call<Robot[]>('GET', base).then(setRobots, (err: Error) => notify(err.message, true));
  useEffect(() => void load(), [base]);
  const toggle = (a: string) => {
    const next = new Set(actions);
    if (next.has(a)) next.delete(a);
    else next.add(a);
    setActions(next);
  };
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      setCreated(await call<{ name: string; secret: string }>('POST', base, { name, actions: [...actions] }));
      setName('');
      await load();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  const remove = async (r: Robot) => {
    try {
      await call('DELETE', `${base}/${enc(r.name.slice(r.name.indexOf('+') + 1))}`);
      notify(`${r.name} deleted`);
      await load();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  const columns: Column<Robot>[] = [
    { key: 'name', label: 'Login', value: (r) => r.name, render: (r) => <code>{r.name}</code> },
    { key: 'actions', label: 'May', value: (r) => r.actions.join(' '), render: (r) => r.actions.join(', ') },
    { key: 'expires', label: 'Expires', value: (r) => r.expires_at, render: (r) => (r.expires_at === -1 ? 'never' : isoTime(r.expires_at)) },
    { key: 'remove', label: 'Actions', render: (r) => <button type="button" onClick={() => remove(r)}>Delete {r.name}</button> },
  ];
  return (
    <section aria-labelledby="robots-title">
      <h2 id="robots-title">Robot accounts</h2>
      <form id="create-robot" class="inline" onSubmit={create}>
        <label>
          Robot name
          <input name="robot" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>May</legend>
          {ACTIONS.map((a) => (
            <label key={a} class="check">
              <input type="checkbox" checked={actions.has(a)} onChange={() => toggle(a)} /> {a}
            </label>
          ))}
        </fieldset>
        <button type="submit">Create robot</button>
      </form>
      {created && (
        <div id="robot-secret" class="card" role="status">
          <p>Robot <code>{created.name}</code> created. Its secret is shown only now:</p>
          <CopyField value={created.secret} label={`Secret of ${created.name}`} />
          <button type="button" onClick={() => setCreated(undefined)}>Done</button>
        </div>
      )}
      <DataTable id="robots" caption={`Robot accounts of ${project}`} rows={robots} columns={columns} rowKey={(r) => r.name} empty="No robot accounts." />
    </section>
  );
}
