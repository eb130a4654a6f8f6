/** A project's webhooks (project admins): where events are POSTed, and each one's last deliveries. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { enc } from './api.js';
import { act, attemptsText, EVENTS, policyCall as call, type Delivery, type Webhook } from './policy-api.js';

export function WebhooksSection({ project }: { project: string }) {
  const [hooks, setHooks] = useState<Webhook[] | undefined>(undefined);
  const [form, setForm] = useState({ name: '', url: '', auth_header: '', events: new Set(['PUSH_ARTIFACT', 'DELETE_ARTIFACT']) });
  const notify = useNotify();
  const base = `/projects/${enc(project)}/webhooks`;
  const load = () => call<Webhook[]>('GET', base).then(setHooks, (err: Error) => notify(err.message, true));
  useEffect(() => void load(), [base]);
  if (!hooks) return <p>Loading…</p>;
  const toggle = (e: string) => {
    const events = new Set(form.events);
    if (events.has(e)) events.delete(e);
    else events.add(e);
    setForm({ ...form, events });
  };
  const add = (e: Event) => {
    e.preventDefault();
    const body = { name: form.name, url: form.url, events: [...form.events], ...(form.auth_header ? { auth_header: form.auth_header } : {}) };
    void act(notify, () => call('POST', base, body), `Webhook ${form.name} added`, load).then(() => setForm({ ...form, name: '', url: '', auth_header: '' }));
  };
  const columns: Column<Webhook>[] = [
    { key: 'name', label: 'Name', value: (h) => h.name, render: (h) => h.name },
    { key: 'url', label: 'URL', value: (h) => h.url, render: (h) => <code>{h.url}</code> },
    { key: 'events', label: 'Events', render: (h) => h.events.join(', ') },
    {
      key: 'enabled',
      label: 'Enabled',
      render: (h) => (
        <input type="checkbox" aria-label={`Webhook ${h.name} enabled`} checked={h.enabled}
          onChange={(e) => act(notify, () => call('PUT', `${base}/${enc(h.id)}`, { enabled: e.currentTarget.checked }), `Webhook ${h.name} ${e.currentTarget.checked ? 'enabled' : 'disabled'}`, load)} />
      ),
    },
    { key: 'last', label: 'Last delivery', render: (h) => (h.deliveries[0] ? `${h.deliveries[0].status} (${attemptsText(h.deliveries[0])})` : 'none yet') },
    { key: 'actions', label: 'Actions', render: (h) => <button type="button" onClick={() => act(notify, () => call('DELETE', `${base}/${enc(h.id)}`), `Webhook ${h.name} deleted`, load)}>Delete {h.name}</button> },
  ];
  const deliveries = hooks.flatMap((h) => h.deliveries.map((d) => ({ ...d, hook: h.name })));
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <form id="add-webhook" class="inline" onSubmit={add}>
        <label>
          Name
          <input name="name" required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        </label>
        <label>
          URL
          <input name="url" type="url" required value={form.url} onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
        </label>
        <label>
          Auth header (optional)
          <input name="auth_header" value={form.auth_header} onInput={(e) => setForm({ ...form, auth_header: e.currentTarget.value })} />
        </label>
        <fieldset>
          <legend>Events</legend>
          {EVENTS.map((e) => (
            <label key={e} class="check">
              <input type="checkbox" checked={form.events.has(e)} onChange={() => toggle(e)} /> {e}
            </label>
          ))}
        </fieldset>
        <button type="submit">Add webhook</button>
      </form>
      <DataTable id="webhooks" caption={`Webhooks of ${project}`} rows={hooks} columns={columns} rowKey={(h) => h.name} empty="No webhooks." />
      <h3>Recent deliveries <button type="button" id="refresh-deliveries" onClick={() => void load()}>Refresh</button></h3>
      <DataTable id="webhook-deliveries" caption="Recent webhook deliveries" rows={deliveries} columns={DELIVERY_COLUMNS} rowKey={(d) => d.id} empty="No deliveries yet." />
    </section>
  );
}

const DELIVERY_COLUMNS: Column<Delivery & { hook: string }>[] = [
  { key: 'hook', label: 'Webhook', value: (d) => d.hook, render: (d) => d.hook },
  { key: 'time', label: 'First attempt', value: (d) => d.attempts[0]?.time ?? '', render: (d) => d.attempts[0]?.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z') ?? 'queued' },
  { key: 'event', label: 'Event', value: (d) => d.event_type, render: (d) => d.event_type },
  { key: 'resource', label: 'Resource', render: (d) => <code>{d.repository}{d.tag ? `:${d.tag}` : ''}</code> },
  { key: 'status', label: 'Status', value: (d) => d.status, render: (d) => d.status },
  { key: 'attempts', label: 'Responses', render: (d) => attemptsText(d) },
];
