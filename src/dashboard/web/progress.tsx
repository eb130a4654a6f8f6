/**
 * Pull and push progress: the POST that starts the transfer, its JSON-lines
 * answer folded into per-layer state, and the view of it (one labelled
 * progress bar per layer).
 */
import { useState } from 'preact/hooks';
import { applyProgress, emptyProgress, type ProgressMessage, type ProgressState } from '../shared/operations.js';
import { csrf, errorText } from './api.js';
import { bytes } from './format.js';
import { useNotify } from './notices.js';
import { failure, readLines } from './stream.js';
import './progress.css';

/** POSTs `body` to `path` and calls onState with the progress so far after every batch of lines; resolves with the final state. */
export async function postProgress(path: string, body: unknown, onState: (s: ProgressState) => void): Promise<ProgressState> {
  const res = await fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
    body: JSON.stringify(body),
  });
  if (!res.ok || !res.body) throw await failure(res);
  let state = emptyProgress();
  await readLines(res.body, (lines) => {
    for (const line of lines) if (line.trim()) state = applyProgress(state, JSON.parse(line) as ProgressMessage);
    onState(state);
  });
  return state;
}

/**
 * A pull from a form (the images view's, the registries view's): its
 * progress as it goes, busy while it runs, and a notice at the end.
 */
export function usePull(onDone: () => void = () => undefined): { progress?: ProgressState; busy: boolean; pull: (path: string, body: unknown, what: string) => Promise<void> } {
  const [progress, setProgress] = useState<ProgressState>();
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const pull = async (path: string, body: unknown, what: string) => {
    setBusy(true);
    setProgress(emptyProgress());
    try {
      const final = await postProgress(path, body, setProgress);
      notify(final.error ? `Pull of ${what} failed: ${final.error}` : `Pulled ${what}`, final.error !== undefined);
    } catch (err) {
      setProgress({ ...emptyProgress(), error: errorText(err) });
    } finally {
      setBusy(false);
      onDone();
    }
  };
  return { progress, busy, pull };
}

export function ProgressView({ id, state, label }: { id: string; state: ProgressState; label: string }) {
  return (
    <div id={id} class="progress" aria-label={label} role="group">
      {state.lines.map((line, i) => <p key={i} class="progress-line">{line}</p>)}
      {state.layers.length > 0 && (
        <ul class="layers">
          {state.layers.map((l) => (
            <li key={l.id} data-layer={l.id}>
              <code>{l.id}</code>
              <span class="layer-status">{l.status}{l.total ? ` ${bytes(l.current)} / ${bytes(l.total)}` : ''}</span>
              <progress aria-label={`Layer ${l.id}: ${l.status}`} max={l.total ?? 1} value={l.total ? l.current : /complete|already exists|pushed|mounted/i.test(l.status) ? 1 : 0} />
            </li>
          ))}
        </ul>
      )}
      {state.error && <p class="error" role="alert">{state.error}</p>}
    </div>
  );
}
