/** One image's panel in the images view: history for everyone; tag, push and remove for operators and admins. */
import { useEffect, useState } from 'preact/hooks';
import type { ImageRow } from '../shared/types.js';
import { emptyProgress, type HistoryRow, type ProgressState } from '../shared/operations.js';
import { api, errorText } from './api.js';
import { ago, bytes, isoTime } from './format.js';
import { useNotify } from './notices.js';
import { postProgress, ProgressView } from './progress.js';
import { shortId } from './resources.js';
import { FilterBox } from './fields.js';
import { DataTable, filterRows, type Column } from './table.js';

type Row = HistoryRow & { n: number };

const HISTORY: Column<Row>[] = [
  { key: 'n', label: '#', value: (h) => h.n, render: (h) => h.n },
  { key: 'id', label: 'Layer image', value: (h) => h.id, render: (h) => (h.id === '<missing>' ? <span class="dim">&lt;missing&gt;</span> : <code title={h.id}>{shortId(h.id)}</code>) },
  { key: 'created', label: 'Created', value: (h) => h.created, render: (h) => <time dateTime={isoTime(h.created)}>{ago(h.created)}</time> },
  { key: 'createdBy', label: 'Created by', value: (h) => h.createdBy, render: (h) => <code class="wrap">{h.createdBy}</code> },
  { key: 'tags', label: 'Tags', value: (h) => h.tags.join(' '), render: (h) => h.tags.map((t) => <code key={t} class="block">{t}</code>) },
  { key: 'size', label: 'Size', value: (h) => h.size, render: (h) => bytes(h.size) },
  { key: 'comment', label: 'Comment', value: (h) => h.comment, render: (h) => h.comment },
];

export function ImagePanel({ image, canAct, onChanged, onClose }: { image: ImageRow; canAct: boolean; onChanged: () => void; onClose: () => void }) {
  const base = `/api/hosts/${encodeURIComponent(image.host)}/images`;
  const path = `${base}/${encodeURIComponent(image.id)}`;
  const title = `${image.tags.join(', ') || shortId(image.id)} on ${image.host}`;
  const [history, setHistory] = useState<Row[]>([]);
  const [error, setError] = useState('');
  const [query, setQuery] = useState('');
  const shownHistory = filterRows(history, HISTORY, query);
  useEffect(() => {
    api<HistoryRow[]>('GET', `${path}/history`).then((h) => setHistory(h.map((x, n) => ({ ...x, n: n + 1 }))), (err) => setError(errorText(err)));
  }, [path, image.tags.join(' ')]);
  return (
    <section id="image-panel" class="panel" aria-labelledby="image-panel-title">
      <div class="toolbar">
        <h2 id="image-panel-title">{title}</h2>
        <button type="button" id="image-panel-close" onClick={onClose}>Close</button>
      </div>
      {canAct && <TagForm path={path} onChanged={onChanged} />}
      {canAct && image.tags.length > 0 && <PushForm base={base} tags={image.tags} />}
      {canAct && <RemoveForm base={base} image={image} onChanged={onChanged} />}
      <div class="toolbar">
        <h3 id="history-title">History <span class="dim">({shownHistory.length} of {history.length})</span></h3>
        <FilterBox id="history-filter" label="Filter the history" value={query} onChange={setQuery} />
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <DataTable id="history-table" caption={`History of ${title}`} rows={shownHistory} columns={HISTORY} rowKey={(h) => String(h.n)} initialSort={{ key: 'n' }}
        empty={history.length ? 'No layers match.' : undefined} />
    </section>
  );
}

/** Runs an action, telling the outcome; the engine's message is kept on screen until the next try. */
function useAction(): { error: string; busy: boolean; run: (done: string, call: () => Promise<unknown>) => Promise<void> } {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const run = async (done: string, call: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await call();
      notify(done);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

function TagForm({ path, onChanged }: { path: string; onChanged: () => void }) {
  const [target, setTarget] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(`Tagged ${target}`, () => api('POST', `${path}/tag`, { target })).then(onChanged);
  };
  return (
    <form id="tag-form" class="grid-form" onSubmit={submit}>
      <label>New tag <input name="target" required placeholder="registry:5000/name:tag" autocomplete="off" spellcheck={false} value={target} onInput={(e) => setTarget(e.currentTarget.value)} /></label>
      <div><button type="submit" disabled={action.busy}>Tag</button></div>
      {action.error && <p id="tag-error" class="error" role="alert">{action.error}</p>}
    </form>
  );
}

function PushForm({ base, tags }: { base: string; tags: string[] }) {
  const [tag, setTag] = useState(tags[0]!);
  const [progress, setProgress] = useState<ProgressState>();
  const action = useAction();
  const chosen = tags.includes(tag) ? tag : tags[0]!;
  const submit = (e: Event) => {
    e.preventDefault();
    setProgress(emptyProgress());
    void action.run(`Pushed ${chosen}`, async () => {
      const final = await postProgress(`${base}/${encodeURIComponent(chosen)}/push`, {}, setProgress);
      if (final.error) throw new Error(final.error);
    });
  };
  return (
    <form id="push-form" class="grid-form" onSubmit={submit}>
      <label>Push
        <select name="tag" id="push-tag" value={chosen} onChange={(e) => setTag(e.currentTarget.value)}>
          {tags.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      <div><button type="submit" disabled={action.busy}>{action.busy ? 'Pushing…' : 'Push'}</button></div>
      {progress && <div class="wide"><ProgressView id="push-progress" state={progress} label={`Pushing ${chosen}`} /></div>}
      {action.error && !progress?.error && <p id="push-error" class="error" role="alert">{action.error}</p>}
    </form>
  );
}

/** Removes one tag (docker rmi NAME: the image goes with its last tag) or, chosen explicitly, the image by ID with all its tags. */
function RemoveForm({ base, image, onChanged }: { base: string; image: ImageRow; onChanged: () => void }) {
  const [force, setForce] = useState(false);
  const [which, setWhich] = useState(image.tags[0] ?? image.id);
  const action = useAction();
  const chosen = which === image.id || image.tags.includes(which) ? which : image.tags[0] ?? image.id;
  const what = chosen === image.id ? `image ${shortId(image.id)}` : chosen;
  const submit = (e: Event) => {
    e.preventDefault();
    if (!window.confirm(`Remove ${what} from ${image.host}${force ? ' (forced)' : ''}?`)) return;
    void action.run(`Removed ${what} from ${image.host}`, () => api('DELETE', `${base}/${encodeURIComponent(chosen)}${force ? '?force=1' : ''}`)).then(onChanged);
  };
  return (
    <form id="remove-form" class="grid-form" onSubmit={submit}>
      <label>Remove
        <select name="reference" id="remove-which" value={chosen} onChange={(e) => setWhich(e.currentTarget.value)}>
          {image.tags.map((t) => <option key={t} value={t}>tag {t}</option>)}
          <option value={image.id}>the image {shortId(image.id)}, all its tags</option>
        </select>
      </label>
      <label class="check"><input type="checkbox" id="remove-force" name="force" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> Force (even if a container uses it)</label>
      <div><button type="submit" class="danger" id="remove-image" disabled={action.busy}>Remove</button></div>
      {action.error && <p id="remove-error" class="error" role="alert">{action.error}</p>}
    </form>
  );
}
