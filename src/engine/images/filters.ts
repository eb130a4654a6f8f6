import { goPathMatch } from '../../lib/go-match.js';
import { invalid } from '../../lib/errors.js';
import { invalidFilter } from '../../lib/filter-errors.js';
export { parseTimeFilter } from '../../lib/time-filter.js';
import type { Filters, Image } from './types.js';

/** Which filters each listing accepts; anything else is refused as Docker does. */
export function checkFilterNames(filters: Filters, accepted: readonly string[]): void {
  for (const name of filters.keys()) {
    if (!accepted.includes(name)) throw invalidFilter(name);
  }
}

export function boolFilter(filters: Filters, name: string): boolean | undefined {
  const values = filters.get(name);
  if (!values || values.length === 0) return undefined;
  const value = values[values.length - 1]!.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalidFilter(name, values);
}

/** label=key or label=key=value; every label filter must match. */
export function matchesLabels(labels: Record<string, string> | null | undefined, wanted: string[] | undefined): boolean {
  if (!wanted) return true;
  return wanted.every((spec) => {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    if (!labels || !(key in labels)) return false;
    return eq < 0 || labels[key] === spec.slice(eq + 1);
  });
}

/** Go's path.Match for reference filters, with the filter's own message for a bad pattern. */
export function globMatch(pattern: string, value: string): boolean {
  try {
    return goPathMatch(pattern, value);
  } catch {
    throw invalid(`invalid reference filter pattern: ${pattern}`);
  }
}

export function createdMs(image: Pick<Image, "config">): number {
  return image.config.created ? Date.parse(image.config.created) : 0;
}
