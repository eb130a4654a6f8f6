/**
 * Compose projects of all hosts (containers grouped by their
 * com.docker.compose.project label): up, down and logs through `berth
 * compose` on the server. The list is fetched again whenever the live
 * container rows change.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ComposeProject } from '../shared/extra-types.js';
import type { ContainerRow, Role } from '../shared/types.js';
import { api, errorText } from './api.js';
import { useNotify } from './notices.js';
import { streamLines } from './stream.js';
import { DataTable, filterRows, type Column } from './table.js';
import './views.css';

const MAX_LINES = 5000;
const keyOf = (p: ComposeProject) => `${p.host}/${p.name}`;
const pathOf = (p: ComposeProject) => `/api/compose/${encodeURIComponent(p.host)}/${encodeURIComponent(p.name)}`;

export function ComposeView({ containers, role }: { containers: Record<string, ContainerRow[]>; role: Role }) {
  const [projects, setProjects] = useState<ComposeProject[]>([]);
  const [error, setError] = useState('');
  const [query, setQuery] = useState('');
  const [logsOf, setLogsOf] = useState<ComposeProject | undefined>(undefined);
  useEffect(() => {
    api<ComposeProject[]>('GET', '/api/compose').then((p) => { setProjects(p); setError(''); }, (err) => setError(errorText(err)));
  }, [containers]);
  const columns = useMemo(() => projectColumns(role, setLogsOf), [role]);
  return (
    <section aria-labelledby="compose-title">
      <div class="toolbar">
        <h1 id="compose-title">Compose projects <span class="dim">({projects.length})</span></h1>
        <label class="search">
          <span class="visually-hidden">Filter projects</span>
          <input id="compose-filter" type="search" placeholder="Filter projects" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <DataTable id="compose-table" caption="Compose projects of all hosts" rows={filterRows(projects, columns, query)} columns={columns} rowKey={keyOf}
        initialSort={{ key: 'name' }} empty="No compose projects: no container carries a com.docker.compose.project label." />
      {logsOf && <ProjectLogs key={keyOf(logsOf)} project={logsOf} onClose={() => setLogsOf(undefined)} />}
    </section>
  );
}

function projectColumns(role: Role, showLogs: (p: ComposeProject) => void): Column<ComposeProject>[] {
  const columns: Column<ComposeProject>[] = [
    { key: 'name', label: 'Project', value: (p) => p.name, render: (p) => <strong>{p.name}</strong> },
    { key: 'host', label: 'Host', value: (p) => p.host, render: (p) => p.host },
    { key: 'services', label: 'Services', value: (p) => p.services.join(' '), render: (p) => p.services.map((s) => <code key={s} class="block">{s}</code>) },
    { key: 'running', label: 'Running', value: (p) => p.running / Math.max(1, p.total), render: (p) => <span class={p.running === p.total ? 'state running' : 'state exited'}>{p.running}/{p.total}</span> },
    { key: 'dir', label: 'Working dir', value: (p) => p.workingDir, render: (p) => <ConfigInfo project={p} /> },
  ];
  columns.push({ key: 'actions', label: 'Actions', render: (p) => <ProjectActions project={p} role={role} showLogs={showLogs} /> });
  return columns;
}

function ConfigInfo({ project: p }: { project: ComposeProject }) {
  return (
    <>
      <code>{p.workingDir || '—'}</code>
      {!p.configReadable && <span class="line dim config-problem">Up unavailable here: {p.configProblem}. Down and logs still work.</span>}
    </>
  );
}

function ProjectActions({ project: p, role, showLogs }: { project: ComposeProject; role: Role; showLogs: (p: ComposeProject) => void }) {
  const notify = useNotify();
  const [busy, setBusy] = useState('');
  const run = async (what: 'up' | 'down') => {
    if (what === 'down' && !window.confirm(`Take project ${p.name} on ${p.host} down (remove its containers and networks)?`)) return;
    setBusy(what);
    try {
      await api('POST', `${pathOf(p)}/${what}`);
      notify(`compose ${what}: ${p.name} on ${p.host}`);
    } catch (err) {
      notify(errorText(err), true);
    } finally {
      setBusy('');
    }
  };
  const operator = role !== 'viewer';
  return (
    <span class="row-actions" role="toolbar" aria-label={`Actions on project ${p.name} on ${p.host}`}>
      {operator && (
        <button type="button" class="up" disabled={busy !== '' || !p.configReadable} title={p.configReadable ? undefined : p.configProblem}
          aria-describedby={p.configReadable ? undefined : `why-${p.host}-${p.name}`} onClick={() => void run('up')}>{busy === 'up' ? 'Up…' : 'Up'}</button>
      )}
      {operator && !p.configReadable && <span id={`why-${p.host}-${p.name}`} class="visually-hidden">{p.configProblem}</span>}
      {operator && <button type="button" class="down danger" disabled={busy !== ''} onClick={() => void run('down')}>{busy === 'down' ? 'Down…' : 'Down'}</button>}
      <button type="button" class="logs" onClick={() => showLogs(p)}>Logs</button>
    </span>
  );
}

function ProjectLogs({ project, onClose }: { project: ComposeProject; onClose: () => void }) {
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState('');
  useEffect(() => {
    const abort = new AbortController();
    void streamLines(`${pathOf(project)}/logs?tail=200&follow=1`, abort.signal, (more) => setLines((l) => [...l, ...more].slice(-MAX_LINES)), setState);
    return () => abort.abort();
  }, []);
  return (
    <section class="panel" aria-labelledby="compose-logs-title">
      <div class="toolbar">
        <h2 id="compose-logs-title">Logs of {project.name} on {project.host}</h2>
        <span class="dim">{state}</span>
        <button type="button" id="compose-logs-close" onClick={onClose}>Close</button>
      </div>
      <pre id="compose-logs" class="logs" tabIndex={0} aria-label={`Logs of project ${project.name}`}>{lines.join('\n')}</pre>
    </section>
  );
}
