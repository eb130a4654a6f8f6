/** One container: its state, logs (follow, search, download), live stats and processes, a terminal, and its inspect output. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ContainerAction, ContainerRow, Role } from '../shared/types.js';
import { act, actionsFor, DESTRUCTIVE, LABELS } from './actions.js';
import { api, errorText } from './api.js';
import { FilesPanel } from './files.js';
import { useNotify } from './notices.js';
import { StatsPanel } from './stats.js';
import { ProcessesPanel } from './top.js';
import { streamLines } from './stream.js';
import { TerminalPanel } from './terminal.js';

const MAX_LINES = 5000;

export function ContainerPage({ host, id, row, role }: { host: string; id: string; role: Role; row: ContainerRow | undefined }) {
  const base = `/api/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(id)}`;
  const [inspect, setInspect] = useState<unknown>(undefined);
  const [error, setError] = useState('');
  // Re-inspect whenever the live row changes (started, stopped, renamed).
  useEffect(() => {
    api<unknown>('GET', base).then((v) => { setInspect(v); setError(''); }, (err) => setError(errorText(err)));
  }, [base, row?.state, row?.status, row?.name]);
  const name = row?.name ?? id.slice(0, 12);
  return (
    <section aria-labelledby="container-title">
      <div class="toolbar">
        <h1 id="container-title"><a href="#/containers">Containers</a> / {host} / {name}</h1>
        {row && <span class={`state ${row.state}`} id="container-state">{row.state}</span>}
        {row && <span class="dim">{row.status}</span>}
        {row && role !== 'viewer' && <Actions row={row} />}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <Logs base={base} name={name} />
      <StatsPanel base={base} running={row?.state === 'running'} />
      <ProcessesPanel base={base} running={row?.state === 'running'} />
      {role !== 'viewer' && <TerminalPanel base={base} running={row?.state === 'running'} />}
      <FilesPanel base={base} />
      <details class="panel">
        <summary>Inspect</summary>
        <pre id="inspect" class="json">{inspect === undefined ? 'Loading…' : JSON.stringify(inspect, null, 2)}</pre>
      </details>
    </section>
  );
}

function Actions({ row }: { row: ContainerRow }) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async (a: ContainerAction) => {
    if (DESTRUCTIVE.has(a) && !window.confirm(`${LABELS[a]} ${row.name}?`)) return;
    setBusy(true);
    try {
      await act(a, row);
      notify(`${LABELS[a]}: ${row.name}`);
      if (a === 'remove') location.hash = '#/containers';
    } catch (err) {
      notify(errorText(err), true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="row-actions" role="toolbar" aria-label={`Actions on ${row.name}`}>
      {actionsFor(row.state).map((a) => (
        <button type="button" key={a} class={`${a}${DESTRUCTIVE.has(a) ? ' danger' : ''}`} disabled={busy} onClick={() => void run(a)}>{LABELS[a]}</button>
      ))}
    </span>
  );
}

function Logs({ base, name }: { base: string; name: string }) {
  const [lines, setLines] = useState<string[]>([]);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [state, setState] = useState('');
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    setLines([]);
    void streamLines(`${base}/logs?tail=500${follow ? '&follow=1' : ''}`, abort.signal, (more) => setLines((l) => [...l, ...more].slice(-MAX_LINES)), setState);
    return () => abort.abort();
  }, [base, follow]);
  const shown = useMemo(() => (query ? lines.filter((l) => l.toLowerCase().includes(query.toLowerCase())) : lines), [lines, query]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown, follow]);
  return (
    <section class="panel" aria-labelledby="logs-title">
      <div class="toolbar">
        <h2 id="logs-title">Logs</h2>
        <label><input type="checkbox" id="logs-follow" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow</label>
        <label class="search">
          <span class="visually-hidden">Search the logs</span>
          <input id="logs-search" type="search" placeholder="Search the logs" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        {query && <span class="dim" aria-live="polite">{shown.length} of {lines.length} lines</span>}
        <a class="button" id="logs-download" href={`${base}/logs?tail=all&download=1`} download={`${name}.log`}>Download</a>
        <span class="dim" id="logs-state">{state}</span>
      </div>
      <pre id="logs" class="logs" ref={box} tabIndex={0} aria-label={`Logs of ${name}`}>{shown.join('\n')}</pre>
    </section>
  );
}
