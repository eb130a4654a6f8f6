/**
 * When something runs on its own (garbage collection, a project's tag
 * retention): none, every N hours, or daily at a UTC time, and when the next
 * run is due. Element ids start with `idPrefix` (#gc-schedule, #gc-next-run).
 */
import { useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import type { GcSchedule as Schedule } from './wire.js';

export const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

export function ScheduleForm({ idPrefix, schedule: s, nextRun, save: send, disabled }: {
  idPrefix: string;
  schedule: Schedule;
  nextRun: string | null;
  save: (schedule: Schedule) => Promise<void>;
  disabled?: boolean;
}) {
  const [kind, setKind] = useState<Schedule['kind']>(s.kind);
  const [hours, setHours] = useState(s.kind === 'interval' ? s.hours : 24);
  const [time, setTime] = useState(s.kind === 'daily' ? s.time : '03:00');
  const notify = useNotify();
  const save = async (e: Event) => {
    e.preventDefault();
    const schedule: Schedule = kind === 'interval' ? { kind, hours } : kind === 'daily' ? { kind, time } : { kind };
    try {
      await send(schedule);
      notify('Schedule saved');
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  return (
    <form id={`${idPrefix}-schedule`} class="inline" onSubmit={save}>
      <label>
        Schedule
        <select name="kind" value={kind} disabled={disabled} onChange={(e) => setKind(e.currentTarget.value as Schedule['kind'])}>
          <option value="none">None</option>
          <option value="interval">Every N hours</option>
          <option value="daily">Daily</option>
        </select>
      </label>
      {kind === 'interval' && (
        <label>Hours<input name="hours" type="number" min={1} max={2160} required disabled={disabled} value={hours} onInput={(e) => setHours(Number(e.currentTarget.value))} /></label>
      )}
      {kind === 'daily' && (
        <label>Time (UTC)<input name="time" type="time" required disabled={disabled} value={time} onInput={(e) => setTime(e.currentTarget.value)} /></label>
      )}
      {!disabled && <button type="submit">Save schedule</button>}
      <span id={`${idPrefix}-next-run`}>{nextRun ? `Next run: ${when(nextRun)} UTC` : 'No scheduled runs'}</span>
    </form>
  );
}
