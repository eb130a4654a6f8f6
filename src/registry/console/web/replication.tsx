/**
 * A project's replication: rules that copy its images (filtered by
 * repository and tag patterns) to another registry on every push or when
 * run, and the executions with their status, attempts and error. Target
 * passwords are sent, never shown: the server only says one is set.
 */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { call, enc } from './api.js';

interface Rule {
  id: string;
  name: string;
  enabled: boolean;
  trigger: 'event' | 'manual';
  repositories: string;
  tags: string;
  dest_namespace: string | null;
  target: { url: string; username: string | null; has_password: boolean };
}

interface Execution {
  id: string;
  ruleId: string;
  trigger: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  artifacts: { repository: string; tag: string }[];
  attempts: number;
  error?: string;
  blobs?: { uploaded: number; mounted: number; skipped: number };
  created: string;
  ended?: string;
}

const EMPTY = { name: '', url: '', username: '', password: '', repositories: '**', tags: '**', trigger: 'event', dest_namespace: '' };
/** While an execution is pending or running, the list is asked again this often. */
const POLL_MS = 2000;

export function Replication({ project }: { project: string }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [executions, setExecutions] = useState<Execution[]>([]);
  const [form, setForm] = useState(EMPTY);
  const notify = useNotify();
  const base = `/projects/${enc(project)}/replication`;
  const load = async () => {
    try {
      setRules(await call<Rule[]>('GET', `${base}/rules`));
      setExecutions(await call<Execution[]>('GET', `${base}/executions`));
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  useEffect(() => void load(), [base]);
  const busy = executions.some((e) => e.status === 'pending' || e.status === 'running');
  useEffect(() => {
    if (!busy) return undefined;
    const timer = setTimeout(() => void load(), POLL_MS);
    return () => clearTimeout(timer);
  }, [busy, executions]);
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      notify(done);
      await load();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  const create = (e: Event) => {
    e.preventDefault();
    const { url, username, password, dest_namespace, ...rest } = form;
    const target = { url, ...(username ? { username } : {}), ...(password ? { password } : {}) };
    void act(() => call('POST', `${base}/rules`, { ...rest, target, ...(dest_namespace ? { dest_namespace } : {}) }), `Rule ${form.name} created`).then(() => setForm(EMPTY));
  };
  const field = (key: keyof typeof EMPTY, label: string, type = 'text', required = false) => (
    <label>
      {label}
      <input name={key} type={type} required={required} value={form[key]} onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })} />
    </label>
  );
  const ruleName = (id: string) => rules.find((r) => r.id === id)?.name ?? id;
  const ruleColumns: Column<Rule>[] = [
    { key: 'name', label: 'Rule', value: (r) => r.name, render: (r) => r.name },
    { key: 'target', label: 'Target', value: (r) => r.target.url, render: (r) => <code>{r.target.url}{r.dest_namespace ? `/${r.dest_namespace}` : ''}</code> },
    { key: 'filter', label: 'Copies', value: (r) => `${r.repositories}:${r.tags}`, render: (r) => <code>{`${project}/${r.repositories}:${r.tags}`}</code> },
    { key: 'trigger', label: 'When', value: (r) => r.trigger, render: (r) => (r.trigger === 'event' ? 'on every push' : 'when run') + (r.enabled ? '' : ' (disabled)') },
    {
      key: 'actions',
      label: 'Actions',
      render: (r) => (
        <>
          <button type="button" onClick={() => act(() => call('POST', `${base}/rules/${r.id}/executions`), `Rule ${r.name} started`)}>Run {r.name}</button>{' '}
          <button type="button" onClick={() => act(() => call('DELETE', `${base}/rules/${r.id}`), `Rule ${r.name} deleted`)}>Delete {r.name}</button>
        </>
      ),
    },
  ];
  const executionColumns: Column<Execution>[] = [
    { key: 'created', label: 'Started', value: (e) => e.created, render: (e) => e.created.replace('T', ' ').slice(0, 19) },
    { key: 'rule', label: 'Rule', value: (e) => ruleName(e.ruleId), render: (e) => ruleName(e.ruleId) },
    { key: 'trigger', label: 'Trigger', value: (e) => e.trigger, render: (e) => e.trigger },
    { key: 'status', label: 'Status', value: (e) => e.status, render: (e) => <span class={`status status-${e.status}`}>{e.status}</span> },
    { key: 'images', label: 'Images', value: (e) => e.artifacts.length, render: (e) => e.artifacts.map((a) => `${a.repository}:${a.tag}`).join(', ') || '—' },
    { key: 'attempts', label: 'Attempts', value: (e) => e.attempts, render: (e) => e.attempts },
    { key: 'blobs', label: 'Blobs', render: (e) => (e.blobs ? `${e.blobs.uploaded} uploaded, ${e.blobs.mounted} mounted, ${e.blobs.skipped} present` : '') },
    { key: 'error', label: 'Error', value: (e) => e.error ?? '', render: (e) => e.error ?? '' },
  ];
  return (
    <section aria-labelledby="replication-title">
      <h2 id="replication-title">Replication</h2>
      <DataTable id="replication-rules" caption={`Replication rules of ${project}`} rows={rules} columns={ruleColumns} rowKey={(r) => r.id} empty="No replication rules." />
      <form id="create-replication-rule" class="inline" onSubmit={create}>
        {field('name', 'Rule name', 'text', true)}
        {field('url', 'Target registry URL', 'url', true)}
        {field('username', 'Target username')}
        {field('password', 'Target password', 'password')}
        {field('repositories', 'Repositories (pattern)')}
        {field('tags', 'Tags (pattern)')}
        {field('dest_namespace', 'Target namespace (optional)')}
        <label>
          When
          <select name="trigger" value={form.trigger} onChange={(e) => setForm({ ...form, trigger: e.currentTarget.value })}>
            <option value="event">on every push</option>
            <option value="manual">when run</option>
          </select>
        </label>
        <button type="submit">Create rule</button>
      </form>
      <h3>Executions</h3>
      <button type="button" onClick={() => void load()}>Refresh</button>
      <DataTable id="replication-executions" caption={`Replication executions of ${project}`} rows={executions} columns={executionColumns} rowKey={(e) => e.id} empty="Nothing replicated yet." />
    </section>
  );
}
