/**
 * The container's processes (the engine's top), refreshed every few seconds
 * while the panel is open: a table like the others, sortable by any of the
 * columns the engine sent (ps's, which differ between engines and ps_args)
 * and filterable.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from './api.js';
import { FilterBox } from './fields.js';
import { DataTable, filterRows, type Column } from './table.js';

const REFRESH_MS = 5000;

interface Top {
  Titles: string[];
  Processes: string[][];
}

export function ProcessesPanel({ base, running }: { base: string; running: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="panel" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary id="processes-summary">Processes</summary>
      {open && (running ? <Processes base={base} /> : <p class="dim">the container is not running</p>)}
    </details>
  );
}

/** One column per title; its key is the title made attribute-safe (ps titles are words like PID, %CPU, COMMAND). */
export function processColumns(titles: string[]): Column<string[]>[] {
  return titles.map((title, i) => ({
    key: title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || `col${i}`,
    label: title,
    value: (p) => p[i] ?? '',
    render: (p) => p[i] ?? '',
  }));
}

/** A process is the same row across refreshes by its PID when ps shows one. */
function rowKeyOf(titles: string[]): (p: string[]) => string {
  const pid = titles.indexOf('PID');
  return pid >= 0 ? (p) => p[pid]! : (p) => p.join(' ');
}

function Processes({ base }: { base: string }) {
  const [top, setTop] = useState<Top | undefined>(undefined);
  const [error, setError] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    let live = true;
    const load = () => api<Top>('GET', `${base}/top`).then((t) => { if (live) { setTop(t); setError(''); } }, (err) => live && setError(errorText(err)));
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => { live = false; clearInterval(timer); };
  }, [base]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!top) return <p class="dim">Loading…</p>;
  const columns = processColumns(top.Titles);
  const rows = filterRows(top.Processes, columns, query);
  return (
    <div>
      <div class="toolbar">
        <FilterBox id="processes-filter" label="Filter processes" value={query} onChange={setQuery} />
        <span class="dim" id="processes-count">{rows.length} of {top.Processes.length}</span>
      </div>
      <DataTable id="process-table" caption="Processes" rows={rows} columns={columns} rowKey={rowKeyOf(top.Titles)}
        initialSort={{ key: columns[top.Titles.indexOf('PID')]?.key ?? columns[0]!.key }} empty="No processes match." />
    </div>
  );
}
