/**
 * Reads the phase marks a berthd run with BERTH_PHASES=1 wrote to its log
 * (src/lib/phases.ts) and gives the breakdown of `run --rm`: the timeline is
 * cut into runs at each container create request, every mark gets its offset
 * from its run's start, and each mark's median offset over the runs is
 * listed in order with the step from the mark before it.
 *
 *   usage: node dist/bench/lib/phases.js DAEMON_LOG
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { median } from './measure.js';

export interface PhaseStep {
  name: string;
  /** Median offset from the create request's arrival, ms. */
  at: number;
  /** Median offset minus the one listed before, ms. */
  step: number;
  /** In how many runs the mark appeared. */
  runs: number;
}

const RUN_START = 'POST_/containers/create:begin';

interface Mark {
  t: number;
  key: string;
  name: string;
}

function parse(log: string): Mark[] {
  const marks: Mark[] = [];
  for (const line of log.split('\n')) {
    const m = /^phase (\d+\.\d+) (\S+) (\S+)$/.exec(line.trim());
    if (m) marks.push({ t: Number(m[1]), key: m[2]!, name: m[3]! });
  }
  return marks.sort((a, b) => a.t - b.t);
}

/** The breakdown of the runs in `log`; the first `skip` runs (warm-up) are left out. */
export function breakdown(log: string, skip = 0): PhaseStep[] {
  const runs: Mark[][] = [];
  for (const mark of parse(log)) {
    if (mark.key === 'api' && mark.name === RUN_START) runs.push([]);
    runs.at(-1)?.push(mark);
  }
  const offsets = new Map<string, number[]>();
  for (const run of runs.slice(skip)) {
    const seen = new Set<string>();
    for (const mark of run) {
      if (seen.has(mark.name)) continue; // a repeated mark (e.g. a second runtime delete) counts once, first time
      seen.add(mark.name);
      const list = offsets.get(mark.name) ?? [];
      list.push(mark.t - run[0]!.t);
      offsets.set(mark.name, list);
    }
  }
  const steps = [...offsets].map(([name, list]) => ({ name, at: median(list), runs: list.length })).sort((a, b) => a.at - b.at);
  return steps.map((s, i) => ({ ...s, at: round(s.at), step: round(s.at - (i > 0 ? steps[i - 1]!.at : 0)) }));
}

export function formatBreakdown(steps: PhaseStep[]): string {
  const width = Math.max(...steps.map((s) => s.name.length), 4);
  return steps.map((s) => `${s.name.padEnd(width)}  ${s.at.toFixed(1).padStart(7)} ms  (+${s.step.toFixed(1)})`).join('\n');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: phases.js DAEMON_LOG [SKIP]');
  process.stdout.write(formatBreakdown(breakdown(await readFile(file, 'utf8'), Number(process.argv[3] ?? 0))) + '\n');
}
