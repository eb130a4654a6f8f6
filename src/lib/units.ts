/**
 * Ports of the docker/go-units helpers the docker CLI prints sizes and ages
 * with. The exact rounding matters: users (and scripts) compare `1.98MB`.
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Go's `%.<precision>g`: shortest form, exponent only when needed, no trailing zeros. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return String(value);
  const p = precision === 0 ? 1 : precision;
  const [mantissa, expText] = value.toExponential(p - 1).split('e');
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= p) {
    const digits = stripTrailingZeros(mantissa);
    const sign = exponent < 0 ? '-' : '+';
    return `${digits}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripTrailingZeros(value.toFixed(Math.max(0, p - 1 - exponent)));
}

function stripTrailingZeros(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/\.?0+$/, '');
}

function customSize(size: number, precision: number, base: number, units: string[]): string {
  let unit = 0;
  while (size >= base && unit < units.length - 1) {
    size /= base;
    unit++;
  }
  return formatG(size, precision) + units[unit];
}

/** go-units HumanSizeWithPrecision: decimal units (`1.98MB`). */
export function humanSizeWithPrecision(size: number, precision: number): string {
  return customSize(size, precision, 1000, DECIMAL_UNITS);
}

/** go-units HumanSize: decimal units, 4 significant digits (`1.983MB`). */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** go-units BytesSize: binary units, 4 significant digits (`23.54GiB`). */
export function bytesSize(size: number): string {
  return customSize(size, 4, 1024, BINARY_UNITS);
}

/** go-units HumanDuration for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** `<HumanDuration> ago` for a Unix timestamp in seconds, as `docker images` prints CREATED. */
export function sinceUnix(unixSeconds: number, nowMs: number = Date.now()): string {
  return `${humanDuration(nowMs - unixSeconds * 1000)} ago`;
}

/** Go's time.Time.String() for a Unix timestamp in the local zone: `2026-11-23 16:14:55 +0000 UTC`. */
export function goTimeString(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMin * 60_000);
  const stamp = local.toISOString().slice(0, 19).replace('T', ' ');
  const zone = offsetMin === 0 ? 'UTC' : zoneAbbreviation(date);
  return `${stamp} ${formatOffset(offsetMin, '')} ${zone}`;
}

/** RFC 3339 in the local zone, as Go's time.Unix(...).Format(time.RFC3339). */
export function rfc3339Unix(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMin * 60_000);
  const stamp = local.toISOString().slice(0, 19);
  return offsetMin === 0 ? `${stamp}Z` : `${stamp}${formatOffset(offsetMin, ':')}`;
}

function formatOffset(offsetMin: number, separator: string): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.trunc(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${sign}${hh}${separator}${mm}`;
}

function zoneAbbreviation(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}
