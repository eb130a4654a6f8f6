/**
 * The pieces of Go's encoding/json and of compose-go's value types that the
 * config hash depends on: compose v2 hashes `json.Marshal(ServiceConfig)`,
 * so strings are escaped as Go escapes them, map keys are sorted, and
 * durations, byte sizes and numbers print as the Go types print them.
 */
import { invalid } from '../lib/errors.js';
import { durationNanos } from './duration.js';

/** A string as Go's json.Marshal writes it: HTML characters and U+2028/9 escaped, \b and \f as \u escapes. */
export function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029\b\f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's time.Duration.String(): `1h30m0s`, `1m30s`, `500ms`, `0s`. */
export function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let n = Math.abs(nanos);
  if (n < 1e9) {
    const [unit, size] = n < 1e3 ? ['ns', 1] : n < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(n / size)}${unit}`;
  }
  const hours = Math.floor(n / 3600e9);
  n -= hours * 3600e9;
  const minutes = Math.floor(n / 60e9);
  n -= minutes * 60e9;
  const seconds = `${trimFraction(n / 1e9)}s`;
  if (hours) return `${sign}${hours}h${minutes}m${seconds}`;
  return minutes ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}

function trimFraction(value: number): string {
  return String(Number(value.toFixed(9)));
}

/** A compose duration (`90s`, `1m30s`, and str2duration's `d`/`w`) in nanoseconds. */
export function composeDuration(value: unknown): number {
  const text = String(value);
  const days = /^(\d+)([dw])(.*)$/.exec(text);
  if (days) return Number(days[1]) * (days[2] === 'd' ? 86400e9 : 604800e9) + (days[3] ? durationNanos(days[3]) : 0);
  return durationNanos(text);
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: `512m`, `1.5g`, `100kb`, `2GiB` (binary units), or a plain number of bytes. */
export function ramInBytes(value: unknown): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(String(value));
  if (!m) throw invalid(`invalid size: '${String(value)}'`);
  return Math.trunc(Number(m[1]) * UNITS[m[2].toLowerCase()]);
}
