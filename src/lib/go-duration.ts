/**
 * Go's time.ParseDuration, for HEALTHCHECK's --interval and friends: moby
 * parses them with it, so `1m30s`, `1.5s` and `500ms` mean what they mean to
 * Docker, and a bad value gets Go's message.
 */
import { goQuote } from './go-text.js';

const NANOS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['ns', 1],
  ['us', 1e3],
  ['\u00b5s', 1e3], // micro sign
  ['\u03bcs', 1e3], // Greek mu
  ['ms', 1e6],
  ['s', 1e9],
  ['m', 60e9],
  ['h', 3600e9],
]);

const MAX_NANOS = 2n ** 63n - 1n;

/** A duration in nanoseconds; throws an Error carrying Go's message. */
export function parseGoDuration(text: string): number {
  const bad = () => new Error(`time: invalid duration ${goQuote(text)}`);
  const negative = text.startsWith('-');
  let rest = negative || text.startsWith('+') ? text.slice(1) : text;
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let total = 0n;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [whole, fraction = ''] = [number[1], number[2]];
    if (whole === '' && fraction === '') throw bad();
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(text)}`);
    const scale = NANOS_PER_UNIT.get(unit);
    if (scale === undefined) throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`);
    rest = rest.slice(unit.length);
    total += componentNanos(whole, fraction, scale);
    if (total > MAX_NANOS + (negative ? 1n : 0n)) throw bad();
  }
  return Number(negative ? -total : total);
}

/** One `<number><unit>` term; the fraction is scaled in floating point, as Go does. */
function componentNanos(whole: string, fraction: string, unitNanos: number): bigint {
  return BigInt(whole || '0') * BigInt(unitNanos) + BigInt(fractionNanos(fraction, unitNanos));
}

/** Go's leadingFraction: digits stop counting once they would overflow its 64-bit accumulator. */
function fractionNanos(fraction: string, unitNanos: number): number {
  let digits = 0n;
  let scale = 1;
  for (const digit of fraction) {
    const next = digits * 10n + BigInt(digit);
    if (digits > MAX_NANOS / 10n || next > MAX_NANOS + 1n) break;
    digits = next;
    scale *= 10;
  }
  return Math.trunc(Number(digits) * (unitNanos / scale));
}

/** Go's time.Duration.String(): `1h30m0s`, `1m30s`, `500ms`, `0s`. */
export function formatGoDuration(nanos: number): string {
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
