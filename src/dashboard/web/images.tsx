/**
 * Images of every host, with actions for operators and admins: pull onto a
 * chosen host (per-layer progress, live), and on one image: history, tag,
 * push (with progress) and remove (optionally forced; the engine's refusal
 * is shown as it gives it). Viewers see the table and the history only; the
 * server refuses them the rest anyway.
 */
import { useState } from 'preact/hooks';
import type { HostSummary, ImageRow, Role } from '../shared/types.js';
import { emptyProgress, type ProgressState } from '../shared/operations.js';
import { errorText } from './api.js';
import { ImagePanel } from './image-panel.js';
import { useNotify } from './notices.js';
import { postProgress, ProgressView } from './progress.js';
import { IMAGES, useAcrossHosts } from './resources.js';
import { DataTable, filterRows, type Column } from './table.js';
import './operations.css';

export function ImagesView({ hosts, role }: { hosts: HostSummary[]; role: Role }) {
  const [again, setAgain] = useState(0);
  const { data, error } = useAcrossHosts<ImageRow>('/api/images', hosts, again);
  const [query, setQuery] = useState('');
  const [hostFilter, setHostFilter] = useState('');
  const [open, setOpen] = useState<string>();
  const canAct = role !== 'viewer';
  const columns: Column<ImageRow>[] = [
    ...IMAGES.columns,
    {
      key: 'actions', label: 'Actions',
      render: (i) => (
        <button type="button" class="details" aria-expanded={open === IMAGES.rowKey(i)} aria-controls="image-panel"
          aria-label={`${canAct ? 'Manage' : 'History of'} ${i.tags[0] ?? i.id} on ${i.host}`} onClick={() => setOpen(open === IMAGES.rowKey(i) ? undefined : IMAGES.rowKey(i))}>
          {canAct ? 'Manage' : 'History'}
        </button>
      ),
    },
  ];
  const shown = filterRows(data.rows, columns, query).filter((i) => !hostFilter || i.host === hostFilter);
  const current = data.rows.find((i) => IMAGES.rowKey(i) === open);
  return (
    <section aria-labelledby="images-title">
      <div class="toolbar">
        <h1 id="images-title">Images <span class="dim">({shown.length} of {data.rows.length})</span></h1>
        <label class="search">
          <span class="visually-hidden">Filter images</span>
          <input id="images-filter" type="search" placeholder="Filter images" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <HostSelect id="images-host" hosts={hosts} value={hostFilter} onChange={setHostFilter} all="All hosts" />
      </div>
      {canAct && <PullForm hosts={hosts} onDone={() => setAgain((n) => n + 1)} />}
      {error && <p class="error" role="alert">{error}</p>}
      {Object.entries(data.errors).map(([host, message]) => <p key={host} class="error">{host}: {message}</p>)}
      <DataTable id="image-table" caption="Images of all hosts" rows={shown} columns={columns} rowKey={IMAGES.rowKey} initialSort={{ key: 'tags' }} empty="No images match." />
      {current && <ImagePanel key={open} image={current} canAct={canAct} onChanged={() => setAgain((n) => n + 1)} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

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

function PullForm({ hosts, onDone }: { hosts: HostSummary[]; onDone: () => void }) {
  const [host, setHost] = useState('');
  const [image, setImage] = useState('');
  const [progress, setProgress] = useState<ProgressState>();
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const target = host || hosts.find((h) => h.reachable)?.name || '';
  const pull = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProgress(emptyProgress());
    try {
      const final = await postProgress(`/api/hosts/${encodeURIComponent(target)}/images/pull`, { image }, setProgress);
      notify(final.error ? `Pull of ${image} on ${target} failed: ${final.error}` : `Pulled ${image} onto ${target}`, final.error !== undefined);
    } catch (err) {
      setProgress({ ...emptyProgress(), error: errorText(err) });
    } finally {
      setBusy(false);
      onDone();
    }
  };
  return (
    <details class="panel" open>
      <summary>Pull an image</summary>
      <form id="pull-form" class="grid-form" onSubmit={(e) => void pull(e)}>
        <HostSelect id="pull-host" hosts={hosts} value={target} onChange={setHost} label="Onto host" />
        <label>Image <input name="image" required placeholder="registry:5000/name:tag" autocomplete="off" spellcheck={false} value={image} onInput={(e) => setImage(e.currentTarget.value)} /></label>
        <div><button type="submit" class="primary" disabled={busy || !target}>{busy ? 'Pulling…' : 'Pull'}</button></div>
      </form>
      {progress && <ProgressView id="pull-progress" state={progress} label={`Pulling ${image}`} />}
    </details>
  );
}
