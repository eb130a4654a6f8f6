/**
 * Live charts of a container from the stats stream (one point a second, the
 * last two minutes), drawn as SVG polylines: CPU, memory, and the network and
 * block I/O rates (in and out, read and write), with the counters below.
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
  const rx = rates(points, (p) => p.netRx);
  const tx = rates(points, (p) => p.netTx);
  const read = rates(points, (p) => p.blockRead);
  const write = rates(points, (p) => p.blockWrite);
  const perSecond = (v: number) => `${bytes(v)}/s`;
  return (
    <section class="panel" aria-labelledby="stats-title">
      <div class="toolbar">
        <h2 id="stats-title">Stats</h2>
        <span class="dim">{running ? state : 'the container is not running'}</span>
      </div>
      <div class="charts">
        <Chart id="chart-cpu" title="CPU" series={[{ values: points.map((p) => p.cpuPercent) }]} floor={1} format={(v) => `${v.toFixed(2)} %`} />
        <Chart id="chart-memory" title="Memory" series={[{ values: points.map((p) => p.memory) }]} floor={1024 * 1024} format={bytes}
          note={last?.memoryLimit ? `limit ${bytes(last.memoryLimit)}` : ''} />
        <Chart id="chart-net" title="Network" series={[{ name: 'in', values: rx }, { name: 'out', values: tx }]} floor={1024} format={perSecond} />
        <Chart id="chart-block" title="Block I/O" series={[{ name: 'read', values: read }, { name: 'write', values: write }]} floor={1024} format={perSecond} />
      </div>
      {last && (
        <dl class="io" id="stats-io">
          <dt>Network in / out</dt><dd id="stats-net">{bytes(last.netRx)} / {bytes(last.netTx)} <span class="dim">({perSecond(rx.at(-1) ?? 0)} / {perSecond(tx.at(-1) ?? 0)})</span></dd>
          <dt>Block read / write</dt><dd id="stats-block">{bytes(last.blockRead)} / {bytes(last.blockWrite)} <span class="dim">({perSecond(read.at(-1) ?? 0)} / {perSecond(write.at(-1) ?? 0)})</span></dd>
          <dt>Processes</dt><dd id="stats-pids">{last.pids}</dd>
        </dl>
      )}
    </section>
  );
}

interface Series {
  /** Told in the caption when a chart has more than one line. */
  name?: string;
  values: number[];
}

interface ChartProps {
  id: string;
  title: string;
  series: Series[];
  /** The smallest top of the scale: an idle container's line stays near the bottom instead of filling the chart with noise. */
  floor: number;
  format: (v: number) => string;
  note?: string;
}

/**
 * Each series as a polyline in a fixed viewBox: x by sample index (a shorter
 * series, such as rates, ends where the others do), y from 0 to a quarter
 * above the largest value seen. The second line is dashed.
 */
function Chart({ id, title, series, floor, format, note }: ChartProps) {
  const [w, h] = [300, 80];
  const top = Math.max(floor, ...series.flatMap((s) => s.values)) * 1.25;
  const step = w / (KEEP - 1);
  const longest = Math.max(...series.map((s) => s.values.length));
  const line = (values: number[]) => values.map((v, i) => `${((i + longest - values.length) * step).toFixed(1)},${(h - (v / top) * h).toFixed(1)}`).join(' ');
  const nowOf = (s: Series) => (s.values.length ? `${s.name ? `${s.name} ` : ''}${format(s.values[s.values.length - 1]!)}` : '');
  const now = series.map(nowOf).filter(Boolean).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title} <span class="dim">{now}{note ? ` (${note})` : ''}, scale 0 to {format(top)}</span></figcaption>
      <svg id={id} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={`${title}: ${now || 'no data yet'}`} data-points={longest}>
        {series.map((s, i) => (
          <polyline key={i} data-series={s.name} points={line(s.values)} fill="none" stroke="currentColor" stroke-width="1.5"
            stroke-dasharray={i > 0 ? '4 3' : undefined} vector-effect="non-scaling-stroke" />
        ))}
      </svg>
    </figure>
  );
}

/** A counter's rate between each two successive points (one fewer than the points). */
export function rates(points: StatsPoint[], pick: (p: StatsPoint) => number): number[] {
  return points.slice(1).map((b, i) => {
    const a = points[i]!;
    const seconds = (b.time - a.time) / 1000;
    // A counter that went back (the container restarted) has no rate for that step.
    return seconds > 0 ? Math.max(0, (pick(b) - pick(a)) / seconds) : 0;
  });
}
