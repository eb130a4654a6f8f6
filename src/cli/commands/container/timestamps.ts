/**
 * docker's timetypes.GetTimestamp for `logs --since/--until`: a Go duration
 * counts back from now, a Unix timestamp passes through, an RFC 3339 date
 * (or date prefix) becomes `seconds.nanoseconds`.
 */
import { parseGoDuration } from '../../opts/values.js';

export function apiTimestamp(value: string, nowMs: number = Date.now()): string {
  if (value === '') return '';
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  let ms: number;
  try {
    ms = nowMs - parseGoDuration(value) / 1e6;
  } catch {
    const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(parsed)) throw new Error(`invalid value for "since"/"until": ${value}`);
    ms = parsed;
  }
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}
