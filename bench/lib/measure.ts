import type { Row } from '../types.js';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface TimedRuns {
  /** Runs before each timed run, untimed (e.g. remove what the last run made). */
  before?: () => Promise<void>;
  /** The timed part. */
  measure: () => Promise<void>;
}

/** Times `runs` runs of `measure` and returns a row with their median. */
export async function timeRuns(bench: string, subject: string, runs: number, steps: TimedRuns): Promise<Row> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await steps.before?.();
    const start = performance.now();
    await steps.measure();
    times.push(performance.now() - start);
  }
  return { bench, subject, median_ms: round(median(times)), runs };
}

export function skipped(bench: string, subject: string, reason: string): Row {
  return { bench, subject, median_ms: null, runs: 0, note: `skipped: ${reason}` };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The wall time of one command, in ms. */
export async function timed(command: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await command();
  return performance.now() - start;
}
