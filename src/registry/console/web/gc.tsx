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
import type { GcRun, GcSchedule as Schedule } from './wire.js';

interface GcStatus {
  running: boolean;
  schedule: Schedule;
  next_run: string | null;
  runs: GcRun[];
}

const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

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
      <ScheduleForm status={status} onSaved={setStatus} />
      <h2 id="gc-runs-title">Last runs</h2>
      <DataTable id="gc-runs" caption="Last garbage collection runs" rows={status.runs} columns={COLUMNS} rowKey={(r) => r.started} initialSort={{ key: 'started', desc: true }} empty="No runs yet." />
    </section>
  );
}

function ScheduleForm({ status, onSaved }: { status: GcStatus; onSaved: (s: GcStatus) => void }) {
  const s = status.schedule;
  const [kind, setKind] = useState<Schedule['kind']>(s.kind);
  const [hours, setHours] = useState(s.kind === 'interval' ? s.hours : 24);
  const [time, setTime] = useState(s.kind === 'daily' ? s.time : '03:00');
  const notify = useNotify();
  const save = async (e: Event) => {
    e.preventDefault();
    const schedule: Schedule = kind === 'interval' ? { kind, hours } : kind === 'daily' ? { kind, time } : { kind };
    try {
      onSaved(await call<GcStatus>('PUT', '/gc/schedule', schedule));
      notify('Schedule saved');
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  return (
    <form id="gc-schedule" class="inline" onSubmit={save}>
      <label>
        Schedule
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Schedule['kind'])}>
          <option value="none">None</option>
          <option value="interval">Every N hours</option>
          <option value="daily">Daily</option>
        </select>
      </label>
      {kind === 'interval' && (
        <label>Hours<input name="hours" type="number" min={1} max={2160} required value={hours} onInput={(e) => setHours(Number(e.currentTarget.value))} /></label>
      )}
      {kind === 'daily' && (
        <label>Time (UTC)<input name="time" type="time" required value={time} onInput={(e) => setTime(e.currentTarget.value)} /></label>
      )}
      <button type="submit">Save schedule</button>
      <span id="gc-next-run">{status.next_run ? `Next run: ${when(status.next_run)} UTC` : 'No scheduled runs'}</span>
    </form>
  );
}
