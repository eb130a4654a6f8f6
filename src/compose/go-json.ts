/**
 * The pieces of Go's encoding/json and of compose-go's value types that the
 * config hash depends on: compose v2 hashes `json.Marshal(ServiceConfig)`,
 * so strings are escaped as Go escapes them, map keys are sorted, and
 * durations, byte sizes and numbers print as the Go types print them.
 */
import { invalid } from '../lib/errors.js';
import { durationNanos } from './duration.js';

export { formatGoDuration as goDuration } from '../lib/go-duration.js';

/** A string as Go's json.Marshal writes it: HTML characters and U+2028/9 escaped, \b and \f as \u escapes. */
export function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029\b\f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
