/** The audit log (admin): pushes, pulls and deletes, newest first, filtered by operation. */
import { useEffect, useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { call, type AuditEntry } from './api.js';

const COLUMNS: Column<AuditEntry>[] = [
  { key: 'time', label: 'Time', value: (e) => e.time, render: (e) => <time dateTime={e.time}>{e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time> },
  { key: 'operation', label: 'Operation', value: (e) => e.operation, render: (e) => e.operation },
  { key: 'user', label: 'User', value: (e) => e.user, render: (e) => e.user },
  { key: 'repository', label: 'Repository', value: (e) => e.repository, render: (e) => e.repository },
  { key: 'reference', label: 'Tag or digest', value: (e) => e.reference, render: (e) => <code>{e.reference}</code> },
];

export function Audit() {
  const [entries, setEntries] = useState<AuditEntry[] | undefined>(undefined);
  const [operation, setOperation] = useState('');
  const notify = useNotify();
  useEffect(() => {
    call<AuditEntry[]>('GET', `/audit-logs?limit=500${operation ? `&operation=${operation}` : ''}`).then(setEntries, (err: Error) => notify(err.message, true));
  }, [operation]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <label>
        Operation
        <select value={operation} onChange={(e) => setOperation(e.currentTarget.value)}>
          <option value="">all</option>
          <option value="push">push</option>
          <option value="pull">pull</option>
          <option value="delete">delete</option>
        </select>
      </label>
      {entries === undefined ? <p>Loading…</p> : (
        <DataTable id="audit" caption="Audit log" rows={entries} columns={COLUMNS} rowKey={(e) => `${e.time} ${e.operation} ${e.repository} ${e.reference} ${e.user}`}
          initialSort={{ key: 'time', desc: true }} empty="Nothing logged yet." />
      )}
    </section>
  );
}
