import { invalid } from '../../lib/errors.js';
import { invalidFilter } from '../../lib/filter-errors.js';
import { parseTimeFilter } from '../../lib/time-filter.js';
import type { Filters } from '../images/types.js';
import { PREDEFINED_NETWORKS, type NetworkView } from './types.js';

/** `network ls` and `network prune` filters, as dockerd applies them. */

const LIST_FILTERS = new Set(['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling']);

export function matchesLabel(labels: Record<string, string>, spec: string): boolean {
  const eq = spec.indexOf('=');
  if (eq < 0) return spec in labels;
  return labels[spec.slice(0, eq)] === spec.slice(eq + 1);
}

export function isBuiltin(n: NetworkView): boolean {
  return (PREDEFINED_NETWORKS as readonly string[]).includes(n.name);
}

export function filterNetworks(networks: NetworkView[], filters: Filters = new Map()): NetworkView[] {
  for (const key of filters.keys()) if (!LIST_FILTERS.has(key)) throw invalidFilter(key);
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters.get(key);
    return !values || values.length === 0 || values.some(test);
  };
  return networks.filter((n) =>
    any('driver', (v) => n.driver === v) &&
    any('id', (v) => n.id.startsWith(v)) &&
    any('name', (v) => n.name.includes(v)) &&
    any('scope', (v) => v === 'local') &&
    (filters.get('label') ?? []).every((v) => matchesLabel(n.labels, v)) &&
    any('type', (v) => {
      if (v !== 'custom' && v !== 'builtin') throw invalid(`invalid filter: 'type'='${v}'`);
      return (v === 'builtin') === isBuiltin(n);
    }) &&
    any('dangling', (v) => {
      const dangling = v === 'true' || v === '1';
      if (!['true', 'false', '1', '0'].includes(v)) throw invalid(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
      return dangling === (n.endpoints.length === 0 && !isBuiltin(n));
    }),
  );
}

/** prune: until (timestamp or duration), label, label!. */
export function prunable(n: NetworkView, filters: Filters = new Map(), now = Date.now()): boolean {
  for (const key of filters.keys()) if (!['until', 'label', 'label!'].includes(key)) throw invalidFilter(key);
  // Parsed before anything is skipped: a bad until fails the prune, as in dockerd.
  const untils = (filters.get('until') ?? []).map((v) => parseTimeFilter(v, now));
  if (isBuiltin(n) || n.endpoints.length > 0) return false;
  if (!(filters.get('label') ?? []).every((v) => matchesLabel(n.labels, v))) return false;
  if ((filters.get('label!') ?? []).some((v) => matchesLabel(n.labels, v))) return false;
  return untils.every((until) => Date.parse(n.created) < until);
}
