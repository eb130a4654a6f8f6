import { invalid } from './errors.js';

/** Docker's "until" filter: a Unix timestamp, RFC 3339 date, or Go duration before now. */
export function parseTimeFilter(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (duration) {
    const unit = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 'h'];
    return now - Number(duration[1]) * unit;
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalid(`failed to parse value as time or duration: "${value}"`);
  return parsed;
}
