/**
 * A project's storage: used of the limit as a bar (a <meter>, so assistive
 * technology reads the numbers too), and for the admin a field to set the
 * limit (in MiB or GiB; empty for none). A push that would go over it is
 * refused by the registry with "quota exceeded".
 */
import { useState } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';
import { call, enc, type Project } from './api.js';
import { quotaText } from './projects.js';

const UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;
type Unit = keyof typeof UNITS;

/** The limit in the largest unit that shows it as a whole number (or MiB with decimals). */
function inUnits(bytes: number | null): { amount: string; unit: Unit } {
  if (bytes === null) return { amount: '', unit: 'GiB' };
  if (bytes % UNITS.GiB === 0) return { amount: String(bytes / UNITS.GiB), unit: 'GiB' };
  return { amount: String(Math.round((bytes / UNITS.MiB) * 1000) / 1000), unit: 'MiB' };
}

export function QuotaBar({ project }: { project: Project }) {
  const used = project.used_bytes ?? 0;
  const limit = project.quota_bytes;
  const percent = limit ? Math.min(100, Math.round((used / limit) * 100)) : undefined;
  return (
    <span class="quota" id="project-quota">
      <span id="project-quota-text">{quotaText(project)}{percent !== undefined && ` (${percent}%)`}</span>
      {limit !== null && (
        <meter id="project-quota-bar" min={0} max={limit || 1} low={limit * 0.8} high={limit * 0.95} optimum={0} value={Math.min(used, limit)}
          aria-label={`Storage of ${project.name}: ${percent}% used`} />
      )}
    </span>
  );
}

export function QuotaEditor({ project, onChanged }: { project: Project; onChanged: () => void }) {
  const initial = inUnits(project.quota_bytes);
  const [amount, setAmount] = useState(initial.amount);
  const [unit, setUnit] = useState<Unit>(initial.unit);
  const notify = useNotify();
  const save = async (e: Event) => {
    e.preventDefault();
    const quota = amount.trim() === '' ? null : Math.round(Number(amount) * UNITS[unit]);
    try {
      await call('PUT', `/projects/${enc(project.name)}`, { quota_bytes: quota });
      notify(quota === null ? `Project ${project.name} has no storage limit now` : `Storage limit of ${project.name} set to ${amount} ${unit}`);
      onChanged();
    } catch (err) {
      notify((err as Error).message, true);
    }
  };
  return (
    <form id="project-quota-form" class="inline" onSubmit={save}>
      <label>
        Storage limit (empty: none)
        <input name="quota" type="number" min={0} step="any" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
      </label>
      <label>
        Unit
        <select name="unit" value={unit} onChange={(e) => setUnit(e.currentTarget.value as Unit)}>
          {Object.keys(UNITS).map((u) => <option key={u} value={u}>{u}</option>)}
        </select>
      </label>
      <button type="submit">Set limit</button>
    </form>
  );
}
