/**
 * Live CPU and memory charts of a container from the stats stream (one point
 * a second, the last two minutes), drawn as SVG polylines, with the network
 * and block I/O counters and their rates beside them.
 */
import { useEffect, useState } from 'preact/hooks';
import type { StatsPoint } from '../shared/types.js';
import { bytes } from './format.js';
import { streamLines } from './stream.js';

const KEEP = 120;

export function StatsPanel({ base, running }: { base: string; running: boolean }) {
  const [points, setPoints] = useState<StatsPoint[]>([]);
  const [state, setState] = useState('');
  useEffect(() => {
    if (!running) return;
    const abort = new AbortController();
    setPoints([]);
    const add = (lines: string[]) => setPoints((p) => [...p, ...lines.filter(Boolean).map((l) => JSON.parse(l) as StatsPoint)].slice(-KEEP));
    void streamLines(`${base}/stats`, abort.signal, add, setState);
    return () => abort.abort();
  }, [base, running]);
  const last = points[points.length - 1];
  const rate = (pick: (p: StatsPoint) => number) => perSecond(points, pick);
  return (
    <section class="panel" aria-labelledby="stats-title">
      <div class="toolbar">
        <h2 id="stats-title">Stats</h2>
        <span class="dim">{running ? state : 'the container is not running'}</span>
      </div>
      <div class="charts">
        <Chart id="chart-cpu" title="CPU" values={points.map((p) => p.cpuPercent)} floor={1} format={(v) => `${v.toFixed(2)} %`} />
        <Chart id="chart-memory" title="Memory" values={points.map((p) => p.memory)} floor={1024 * 1024} format={bytes}
          note={last?.memoryLimit ? `limit ${bytes(last.memoryLimit)}` : ''} />
      </div>
      {last && (
        <dl class="io" id="stats-io">
          <dt>Network in / out</dt><dd id="stats-net">{bytes(last.netRx)} / {bytes(last.netTx)} <span class="dim">({bytes(rate((p) => p.netRx))}/s / {bytes(rate((p) => p.netTx))}/s)</span></dd>
          <dt>Block read / write</dt><dd id="stats-block">{bytes(last.blockRead)} / {bytes(last.blockWrite)} <span class="dim">({bytes(rate((p) => p.blockRead))}/s / {bytes(rate((p) => p.blockWrite))}/s)</span></dd>
          <dt>Processes</dt><dd id="stats-pids">{last.pids}</dd>
        </dl>
      )}
    </section>
  );
}

interface ChartProps {
  id: string;
  title: string;
  values: number[];
  /** The smallest top of the scale: an idle container's line stays near the bottom instead of filling the chart with noise. */
  floor: number;
  format: (v: number) => string;
  note?: string;
}

/** One series as a polyline in a fixed viewBox: x by sample index, y from 0 to a quarter above the largest value seen. */
function Chart({ id, title, values, floor, format, note }: ChartProps) {
  const [w, h] = [300, 80];
  const top = Math.max(floor, ...values) * 1.25;
  const step = w / (KEEP - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / top) * h).toFixed(1)}`).join(' ');
  const now = values.length ? format(values[values.length - 1]!) : '';
  return (
    <figure class="chart">
      <figcaption>{title} <span class="dim">{now}{note ? ` (${note})` : ''}, scale 0 to {format(top)}</span></figcaption>
      <svg id={id} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={`${title}: ${now || 'no data yet'}`} data-points={values.length}>
        <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
      </svg>
    </figure>
  );
}

/** A counter's rate over the last two points. */
function perSecond(points: StatsPoint[], pick: (p: StatsPoint) => number): number {
  if (points.length < 2) return 0;
  const [a, b] = [points[points.length - 2]!, points[points.length - 1]!];
  const seconds = (b.time - a.time) / 1000;
  return seconds > 0 ? Math.max(0, (pick(b) - pick(a)) / seconds) : 0;
}
