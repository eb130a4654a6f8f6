/**
 * Images of every host, with actions for operators and admins: pull onto a
 * chosen host (per-layer progress, live), and on one image: history, tag,
 * push (with progress) and remove (optionally forced; the engine's refusal
 * is shown as it gives it). Viewers see the table and the history only; the
 * server refuses them the rest anyway.
 */
import { useState } from 'preact/hooks';
import type { HostSummary, ImageRow, Role } from '../shared/types.js';
import { ImagePanel } from './image-panel.js';
import { ProgressView, usePull } from './progress.js';
import { HostSelect } from './fields.js';
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

function PullForm({ hosts, onDone }: { hosts: HostSummary[]; onDone: () => void }) {
  const [host, setHost] = useState('');
  const [image, setImage] = useState('');
  const { progress, busy, pull } = usePull(onDone);
  const target = host || hosts.find((h) => h.reachable)?.name || '';
  const submit = (e: Event) => {
    e.preventDefault();
    void pull(`/api/hosts/${encodeURIComponent(target)}/images/pull`, { image }, `${image} onto ${target}`);
  };
  return (
    <details class="panel" open>
      <summary>Pull an image</summary>
      <form id="pull-form" class="grid-form" onSubmit={submit}>
        <HostSelect id="pull-host" hosts={hosts} value={target} onChange={setHost} label="Onto host" />
        <label>Image <input name="image" required placeholder="registry:5000/name:tag" autocomplete="off" spellcheck={false} value={image} onInput={(e) => setImage(e.currentTarget.value)} /></label>
        <div><button type="submit" class="primary" disabled={busy || !target}>{busy ? 'Pulling…' : 'Pull'}</button></div>
      </form>
      {progress && <ProgressView id="pull-progress" state={progress} label={`Pulling ${image}`} />}
    </details>
  );
}
