/** The container's processes (the engine's top), refreshed every few seconds while the panel is open. */
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from './api.js';

const REFRESH_MS = 5000;

interface Top {
  Titles: string[];
  Processes: string[][];
}

export function ProcessesPanel({ base, running }: { base: string; running: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="panel" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary id="processes-summary">Processes</summary>
      {open && (running ? <Processes base={base} /> : <p class="dim">the container is not running</p>)}
    </details>
  );
}

function Processes({ base }: { base: string }) {
  const [top, setTop] = useState<Top | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const load = () => api<Top>('GET', `${base}/top`).then((t) => { if (live) { setTop(t); setError(''); } }, (err) => live && setError(errorText(err)));
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => { live = false; clearInterval(timer); };
  }, [base]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!top) return <p class="dim">Loading…</p>;
  return (
    <div class="table-wrap">
      <table id="process-table" class="data">
        <thead><tr>{top.Titles.map((t) => <th scope="col" key={t}>{t}</th>)}</tr></thead>
        <tbody>
          {top.Processes.map((p, i) => <tr key={i}>{p.map((cell, j) => <td key={j} data-label={top.Titles[j]}>{cell}</td>)}</tr>)}
        </tbody>
      </table>
    </div>
  );
}
