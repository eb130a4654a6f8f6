/** Compose durations (`1m30s`, `500ms`, `2h`): Go's time.ParseDuration units, as compose reads them. */
import { invalid } from '../lib/errors.js';

const NANOS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function durationNanos(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw invalid(`time: invalid duration ${JSON.stringify(text)}`);
  return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * NANOS[unit], 0));
}

/** A duration as whole seconds, rounded up (the engine's stop timeout). */
export function durationSeconds(text: string): number {
  return Math.ceil(durationNanos(text) / 1e9);
}
