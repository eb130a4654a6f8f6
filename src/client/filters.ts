/**
 * Docker's `filters` query parameter: `{"key":{"value":true}}`, keys sorted
 * as Go's encoding/json sorts map keys, omitted entirely when empty.
 */
import type { Filters } from './types.js';

/** Parses one `--filter key=value` the way docker's FilterOpt does. */
export function parseFilterFlag(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq === -1) throw new Error('bad format of filter (expected name=value)');
  return [text.slice(0, eq).trim().toLowerCase(), text.slice(eq + 1).trim()];
}

/** Builds Filters from repeated `--filter` values (empty values are ignored, as docker does). */
export function filtersFromFlags(values: readonly string[]): Filters {
  const filters: Filters = {};
  for (const value of values) {
    if (value === '') continue;
    const [key, v] = parseFilterFlag(value);
    addFilter(filters, key, v);
  }
  return filters;
}

export function addFilter(filters: Filters, key: string, value: string): void {
  const values = (filters[key] ??= []);
  if (!values.includes(value)) values.push(value);
}

/** The JSON for the `filters` query parameter, or undefined when there are none. */
export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters) return undefined;
  const keys = Object.keys(filters).filter((k) => filters[k].length > 0).sort();
  if (keys.length === 0) return undefined;
  const body = keys.map((key) => {
    const values = [...new Set(filters[key])].sort().map((v) => `${goJsonString(v)}:true`);
    return `${goJsonString(key)}:{${values.join(',')}}`;
  });
  return `{${body.join(',')}}`;
}

/** JSON string as Go's encoding/json writes it: `<`, `>`, `&` escaped. */
function goJsonString(text: string): string {
  return JSON.stringify(text)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
