/**
 * Garbage collection (the admin's): run now, the schedule (none, every N
 * hours, or daily at a UTC time), and the reports of the last runs. Blobs a
 * push is still using are kept by the server (its grace period), so a run
 * is safe while images are being pushed.
 */
import { useEffect, useState } from 'preact/hooks';
import { bytes } from '../../../dashboard/web/format.js';
import { useNotify } from '../../../dashboard/web/notices.js';
import { DataTable, type Column } from '../../../dashboard/web/table.js';
import { call } from './api.js';
import { ScheduleForm, when } from './schedule-form.js';
import type { GcRun, GcSchedule as Schedule } from './wire.js';

interface GcStatus {
  running: boolean;
  schedule: Schedule;
  next_run: string | null;
  runs: GcRun[];
}

const COLUMNS: Column<GcRun>[] = [
  { key: 'started', label: 'Started (UTC)', value: (r) => r.started, render: (r) => when(r.started) },
  { key: 'by', label: 'By', value: (r) => r.by, render: (r) => r.by },
  { key: 'blobs', label: 'Blobs removed', value: (r) => r.blobs_removed, render: (r) => `${r.blobs_removed}${r.dry_run ? ' (dry run)' : ''}` },
  { key: 'bytes', label: 'Space freed', value: (r) => r.bytes_removed, render: (r) => bytes(r.bytes_removed) },
  { key: 'manifests', label: 'Manifests removed', value: (r) => r.manifests_removed, render: (r) => r.manifests_removed },
  { key: 'kept', label: 'Blobs kept', value: (r) => r.blobs_kept, render: (r) => r.blobs_kept },
  { key: 'duration', label: 'Duration', value: (r) => r.duration_ms, render: (r) => `${(r.duration_ms / 1000).toFixed(1)} s` },
  { key: 'result', label: 'Result', value: (r) => r.error ?? 'ok', render: (r) => (r.error ? <span class="error">{r.error}</span> : 'ok') },
];

export function GarbageCollection() {
  const [status, setStatus] = useState<GcStatus | undefined>(undefined);
  const [dryRun, setDryRun] = useState(false);
  const [untagged, setUntagged] = useState(false);
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const load = () => call<GcStatus>('GET', '/gc').then(setStatus, (err: Error) => notify(err.message, true));
  useEffect(() => void load(), []);
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await call<GcRun>('POST', '/gc', { dry_run: dryRun, delete_untagged: untagged });
      notify(`Garbage collection ${r.dry_run ? 'would remove' : 'removed'} ${r.blobs_removed} blobs (${bytes(r.bytes_removed)})`);
    } catch (err) {
      notify((err as Error).message, true);
    }
    setBusy(false);
    await load();
  };
  if (!status) return <p>Loading…</p>;
  return (
    <section aria-labelledby="gc-title">
      <h1 id="gc-title">Garbage collection</h1>
      <p>Removes blobs no manifest refers to. Blobs stored, linked or used by a push in the last hour are kept, so pushes in flight are safe.</p>
      <form id="gc-run" class="inline" onSubmit={run}>
        <label class="check"><input type="checkbox" name="dry_run" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} /> Dry run</label>
        <label class="check"><input type="checkbox" name="delete_untagged" checked={untagged} onChange={(e) => setUntagged(e.currentTarget.checked)} /> Also remove untagged manifests</label>
        <button type="submit" class="primary" disabled={busy || status.running}>{busy || status.running ? 'Running…' : 'Run now'}</button>
      </form>
      <ScheduleForm idPrefix="gc" schedule={status.schedule} nextRun={status.next_run} save={async (schedule) => setStatus(await call<GcStatus>('PUT', '/gc/schedule', schedule))} />
      <h2 id="gc-runs-title">Last runs</h2>
      <DataTable id="gc-runs" caption="Last garbage collection runs" rows={status.runs} columns={COLUMNS} rowKey={(r) => r.started} initialSort={{ key: 'started', desc: true }} empty="No runs yet." />
    </section>
  );
}
