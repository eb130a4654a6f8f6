/** The hosts view: every engine with its reachability, version, system and usage; admins add and remove hosts. */
import { useState } from 'preact/hooks';
import type { HostSummary, Role } from '../shared/types.js';
import { api, errorText } from './api.js';
import { bytes } from './format.js';
import { useNotify } from './notices.js';
import { DataTable, filterRows, type Column } from './table.js';

const columns = (isAdmin: boolean, remove: (h: HostSummary) => void): Column<HostSummary>[] => [
  { key: 'name', label: 'Name', value: (h) => h.name, render: (h) => <span><strong>{h.name}</strong><br /><code class="dim">{h.host}</code>{h.tls && <span class="badge">TLS</span>}</span> },
  {
    key: 'status', label: 'Status', value: (h) => (h.reachable ? 'reachable' : 'unreachable'),
    render: (h) => (h.reachable ? <span class="state running">reachable</span> : <span class="state exited" title={h.error}>unreachable{h.error ? `: ${h.error}` : ''}</span>),
  },
  { key: 'version', label: 'Version', value: (h) => h.engine?.version ?? '', render: (h) => h.engine && <span>{h.engine.version} <span class="dim">(API {h.engine.apiVersion})</span></span> },
  { key: 'os', label: 'OS / kernel', value: (h) => `${h.engine?.os ?? ''} ${h.engine?.kernel ?? ''}`, render: (h) => h.engine && <span>{h.engine.os}<br /><span class="dim">{h.engine.kernel} {h.engine.arch}</span></span> },
  { key: 'cpus', label: 'CPUs', value: (h) => h.engine?.cpus ?? -1, render: (h) => h.engine?.cpus },
  { key: 'memory', label: 'Memory', value: (h) => h.engine?.memory ?? -1, render: (h) => bytes(h.engine?.memory) },
  { key: 'running', label: 'Running', value: (h) => h.counts?.running ?? -1, render: (h) => h.counts?.running },
  { key: 'stopped', label: 'Stopped', value: (h) => (h.counts ? h.counts.stopped + h.counts.paused : -1), render: (h) => h.counts && `${h.counts.stopped}${h.counts.paused ? ` (+${h.counts.paused} paused)` : ''}` },
  { key: 'images', label: 'Images', value: (h) => h.counts?.images ?? -1, render: (h) => h.counts?.images },
  {
    key: 'disk', label: 'Disk', value: (h) => (h.disk ? h.disk.images + h.disk.containers + h.disk.volumes + h.disk.buildCache : -1),
    render: (h) => h.disk && <span title={`images ${bytes(h.disk.images)}, containers ${bytes(h.disk.containers)}, volumes ${bytes(h.disk.volumes)}, build cache ${bytes(h.disk.buildCache)}`}>
      {bytes(h.disk.images + h.disk.containers + h.disk.volumes + h.disk.buildCache)}</span>,
  },
  ...(isAdmin ? [{
    key: 'actions', label: 'Actions',
    render: (h: HostSummary) => h.source === 'ui'
      ? <button type="button" class="danger" onClick={() => remove(h)} aria-label={`Remove host ${h.name}`}>Remove</button>
      : <span class="dim">from --hosts</span>,
  }] : []),
];

export function HostsView({ hosts, role }: { hosts: HostSummary[]; role: Role }) {
  const [query, setQuery] = useState('');
  const notify = useNotify();
  const remove = async (h: HostSummary) => {
    if (!window.confirm(`Remove host ${h.name} from the dashboard? (The engine itself is not touched.)`)) return;
    try {
      await api('DELETE', `/api/hosts/${encodeURIComponent(h.name)}`);
      notify(`Removed host ${h.name}`);
    } catch (err) {
      notify(errorText(err), true);
    }
  };
  const cols = columns(role === 'admin', remove);
  return (
    <section aria-labelledby="hosts-title">
      <div class="toolbar">
        <h1 id="hosts-title">Hosts</h1>
        <label class="search">
          <span class="visually-hidden">Filter hosts</span>
          <input id="host-filter" type="search" placeholder="Filter hosts" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      </div>
      <DataTable id="host-table" caption="Hosts" rows={filterRows(hosts, cols, query)} columns={cols} rowKey={(h) => h.name} empty="No hosts yet." />
      {role === 'admin' && <AddHost />}
    </section>
  );
}

function AddHost() {
  const empty = { name: '', host: '', tlscacert: '', tlscert: '', tlskey: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState('');
  const notify = useNotify();
  const field = (key: keyof typeof empty, label: string, hint?: string) => (
    <label>
      {label}
      <input name={key} value={form[key]} required={key === 'name' || key === 'host'} placeholder={hint}
        onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })} />
    </label>
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      await api('POST', '/api/hosts', form);
      notify(`Added host ${form.name}`);
      setForm(empty);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details class="panel">
      <summary>Add a host</summary>
      <form id="add-host" class="grid-form" onSubmit={submit}>
        {field('name', 'Name')}
        {field('host', 'Host', 'unix:///run/berth/berth.sock or tcp://host:2376')}
        {field('tlscacert', 'CA certificate file', 'on the dashboard server')}
        {field('tlscert', 'Client certificate file')}
        {field('tlskey', 'Client key file')}
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary">Add host</button>
      </form>
    </details>
  );
}
