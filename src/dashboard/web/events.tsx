/**
 * The events feed: every host's engine events, the last ten minutes and then
 * live, in one table sortable by every column and filterable by host, type
 * and text. The newest few thousand are kept.
 */
import { useEffect, useState } from 'preact/hooks';
import type { EventRow } from '../shared/operations.js';
import type { HostSummary } from '../shared/types.js';
import { Choice, HostSelect } from './fields.js';
import { streamLines } from './stream.js';
import { DataTable, filterRows, type Column } from './table.js';

const KEEP = 5000;
type Row = EventRow & { seq: number };

const attributesText = (e: EventRow) => Object.entries(e.attributes).filter(([k]) => k !== 'name').map(([k, v]) => `${k}=${v}`).join(' ');
const timeText = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/Z$/, '');

const COLUMNS: Column<Row>[] = [
  { key: 'time', label: 'Time', value: (e) => e.time, render: (e) => <time dateTime={new Date(e.time).toISOString()}>{timeText(e.time)}</time> },
  { key: 'host', label: 'Host', value: (e) => e.host, render: (e) => e.host },
  { key: 'type', label: 'Type', value: (e) => e.type, render: (e) => e.type },
  { key: 'action', label: 'Action', value: (e) => e.action, render: (e) => e.action },
  { key: 'actor', label: 'Actor', value: (e) => e.name || e.id, render: (e) => <code title={e.id}>{e.name || e.id.replace(/^sha256:/, '').slice(0, 12)}</code> },
  { key: 'attributes', label: 'Attributes', value: attributesText, render: (e) => <code class="wrap dim">{attributesText(e)}</code> },
];

export function EventsView({ hosts }: { hosts: HostSummary[] }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [state, setState] = useState('');
  const [query, setQuery] = useState('');
  const [host, setHost] = useState('');
  const [type, setType] = useState('');
  // Reconnect when the set of hosts changes: the server merges the hosts it has when the feed opens.
  const names = hosts.map((h) => h.name).join(',');
  useEffect(() => {
    const abort = new AbortController();
    let seq = 0;
    setRows([]);
    setErrors({});
    void streamLines('/api/events', abort.signal, (lines) => {
      const parsed = lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as EventRow | { host: string; error: string });
      const fresh = parsed.filter((p): p is EventRow => !('error' in p)).map((e) => ({ ...e, seq: seq++ }));
      const failed = parsed.filter((p): p is { host: string; error: string } => 'error' in p);
      if (failed.length) setErrors((old) => ({ ...old, ...Object.fromEntries(failed.map((f) => [f.host, f.error])) }));
      if (fresh.length) setRows((old) => [...old, ...fresh].slice(-KEEP));
    }, (s) => setState(s === '' ? 'live' : s));
    return () => abort.abort();
  }, [names]);
  const types = [...new Set(rows.map((r) => r.type))].sort();
  const shown = filterRows(rows, COLUMNS, query).filter((e) => (!host || e.host === host) && (!type || e.type === type));
  return (
    <section aria-labelledby="events-title">
      <div class="toolbar">
        <h1 id="events-title">Events <span class="dim">({shown.length} of {rows.length})</span></h1>
        <span id="events-state" class="dim">{state}</span>
        <label class="search">
          <span class="visually-hidden">Filter events</span>
          <input id="events-filter" type="search" placeholder="Filter: action, name, attribute…" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <HostSelect id="events-host" hosts={hosts} value={host} onChange={setHost} all="All hosts" />
        <Choice id="events-type" name="type" label="Type" value={type} onChange={setType} all="All types" options={types.map((t) => ({ value: t, text: t }))} />
      </div>
      {Object.entries(errors).map(([h, message]) => <p key={h} class="error">{h}: {message}</p>)}
      <DataTable id="event-table" caption="Events of all hosts" rows={shown} columns={COLUMNS} rowKey={(e) => String(e.seq)}
        initialSort={{ key: 'time', desc: true }} empty="No events match (the feed shows the last ten minutes, then live)." />
    </section>
  );
}
