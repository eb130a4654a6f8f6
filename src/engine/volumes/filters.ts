import { invalidFilter } from '../../lib/filter-errors.js';
import type { Filters } from '../images/types.js';
import { ANONYMOUS_LABEL, type Volume } from './types.js';

/** A volume as the filters see it: its record plus how many containers use it. */
export interface FilterSubject {
  volume: Volume;
  users: number;
}

const LIST_FILTERS = new Set(['dangling', 'name', 'label', 'driver']);
const PRUNE_FILTERS = new Set(['label', 'label!', 'all']);

function checkKeys(filters: Filters, allowed: Set<string>): void {
  for (const key of filters.keys()) {
    if (!allowed.has(key)) throw invalidFilter(key);
  }
}

/** Docker's boolean filter values. */
function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters.get(key);
  if (!values || values.length === 0) return undefined;
  const value = values[values.length - 1]!.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalidFilter(key, values);
}

/** label=key or label=key=value: the volume has every one of them. */
function matchesLabels(labels: Record<string, string> | null, wanted: readonly string[]): boolean {
  return wanted.every((want) => {
    if (!labels) return false;
    const eq = want.indexOf('=');
    if (eq < 0) return want in labels;
    return labels[want.slice(0, eq)] === want.slice(eq + 1);
  });
}

/** name filters match as regular expressions (moby's filters.Match), a bad pattern as a substring. */
function matchesName(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    try {
      return new RegExp(pattern).test(name);
    } catch {
      return name.includes(pattern);
    }
  });
}

/** The predicate for GET /volumes?filters=… */
export function listFilter(filters: Filters): (subject: FilterSubject) => boolean {
  checkKeys(filters, LIST_FILTERS);
  const dangling = boolFilter(filters, 'dangling');
  const names = filters.get('name') ?? [];
  const labels = filters.get('label') ?? [];
  const drivers = filters.get('driver') ?? [];
  return ({ volume, users }) =>
    (dangling === undefined || dangling === (users === 0)) &&
    (names.length === 0 || matchesName(volume.Name, names)) &&
    matchesLabels(volume.Labels, labels) &&
    (drivers.length === 0 || drivers.includes(volume.Driver));
}

/** The predicate for POST /volumes/prune: unused, anonymous unless all=true, labels. */
export function pruneFilter(filters: Filters): (subject: FilterSubject) => boolean {
  checkKeys(filters, PRUNE_FILTERS);
  const all = boolFilter(filters, 'all') ?? false;
  const labels = filters.get('label') ?? [];
  const notLabels = filters.get('label!') ?? [];
  return ({ volume, users }) =>
    users === 0 &&
    (all || (volume.Labels !== null && ANONYMOUS_LABEL in volume.Labels)) &&
    matchesLabels(volume.Labels, labels) &&
    notLabels.every((label) => !matchesLabels(volume.Labels, [label]));
}
