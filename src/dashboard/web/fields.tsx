/** Form fields shared by the views: labelled selects, of anything or of a host, and the tables' filter box. */
import type { HostSummary } from '../shared/types.js';

/** A labelled select (the label visually hidden unless given); with `all`, a first option for "no filter". */
export function Choice(p: { id: string; name: string; label: string; showLabel?: boolean; value: string; onChange: (v: string) => void; all?: string; options: Array<{ value: string; text: string; disabled?: boolean }> }) {
  return (
    <label>
      <span class={p.showLabel ? undefined : 'visually-hidden'}>{p.label}</span>
      <select id={p.id} name={p.name} value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)} required={p.all === undefined}>
        {p.all !== undefined && <option value="">{p.all}</option>}
        {p.options.map((o) => <option key={o.value} value={o.value} disabled={o.disabled}>{o.text}</option>)}
      </select>
    </label>
  );
}

/** A host to act on (unreachable ones disabled) or, with `all`, to filter by. */
export function HostSelect(p: { id: string; hosts: HostSummary[]; value: string; onChange: (host: string) => void; all?: string; label?: string }) {
  const options = p.hosts.map((h) => ({ value: h.name, text: `${h.name}${h.reachable ? '' : ' (unreachable)'}`, disabled: !h.reachable && p.all === undefined }));
  return <Choice id={p.id} name="host" label={p.label ?? 'Host'} showLabel={p.label !== undefined} value={p.value} onChange={p.onChange} all={p.all} options={options} />;
}

/** A table's filter box, labelled for screen readers by its placeholder's words. */
export function FilterBox({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  return (
    <label class="search">
      <span class="visually-hidden">{label}</span>
      <input id={id} type="search" placeholder={label} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
    </label>
  );
}
