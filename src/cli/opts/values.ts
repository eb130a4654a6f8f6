/**
 * Parsers for docker's typed flag values, ported with their error texts
 * (users and scripts match on them): go-units sizes (`64m`), Go durations
 * (`1m30s`), `--cpus` decimals. Each throws an Error whose message is what
 * pflag prints after `invalid argument "…" for "…" flag: `.
 */

const RAM_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Go's strconv.ParseFloat for the plain decimal forms sizes use. */
function parseGoFloat(text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`strconv.ParseFloat: parsing "${text}": invalid syntax`);
  return Number(text);
}

/** go-units RAMInBytes (binary multiples: `64m` is 64 MiB). */
export function ramInBytes(text: string): number {
  const sep = Math.max(...[...'0123456789. '].map((ch) => text.lastIndexOf(ch)));
  if (sep === -1) throw new Error(`invalid size: '${text}'`);
  const num = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  let suffix = text.slice(sep + 1);
  let size = parseGoFloat(num);
  if (size < 0) throw new Error(`invalid size: '${text}'`);
  if (suffix === '') return Math.trunc(size);
  const bad = () => new Error(`invalid suffix: '${suffix}'`);
  if (suffix.length > 3) throw bad();
  suffix = suffix.toLowerCase();
  if (suffix[0] === 'b') {
    if (suffix.length > 1) throw bad();
    return Math.trunc(size);
  }
  const multiplier = RAM_UNITS[suffix[0]];
  if (multiplier === undefined) throw bad();
  if ((suffix.length === 2 && suffix[1] !== 'b') || (suffix.length === 3 && suffix.slice(1) !== 'ib')) throw bad();
  size *= multiplier;
  return Math.trunc(size);
}

/** docker's MemSwapBytes: a size, or -1 for unlimited swap. */
export function memSwapBytes(text: string): number {
  return text === '-1' ? -1 : ramInBytes(text);
}

/** Go's time.ParseDuration, in nanoseconds (shared with the builder's HEALTHCHECK flags). */
export { parseGoDuration } from '../../lib/go-duration.js';

/** docker's NanoCPUs.Set: a rational number of CPUs, exact to the nanosecond. */
export function parseNanoCpus(text: string): number {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new Error(`failed to parse ${text} as a rational number`);
  const fraction = match[3] ?? '';
  if (fraction.replace(/0+$/, '').length > 9) throw new Error('value is too precise');
  const nanos = BigInt(match[2] || '0') * 1_000_000_000n + BigInt((fraction + '000000000').slice(0, 9));
  return Number(match[1] === '-' ? -nanos : nanos);
}
