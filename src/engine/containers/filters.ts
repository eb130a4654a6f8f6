import { invalid } from '../../lib/errors.js';
import { invalidFilter } from '../../lib/filter-errors.js';
import { parseTimeFilter } from '../../lib/time-filter.js';
import type { Container } from './types.js';

const LIST_FILTERS = ['id', 'name', 'label', 'status', 'ancestor', 'exited', 'health', 'before', 'since', 'is-task', 'isolation', 'network', 'publish', 'expose', 'volume'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const HEALTH_STATUSES = ['starting', 'healthy', 'unhealthy', 'none'];

/** docker ps filters, as moby's container list applies them. */
export function filterContainers(all: Container[], filters: Map<string, string[]>, find: (idOrName: string) => Container): Container[] {
  for (const name of filters.keys()) if (!LIST_FILTERS.includes(name)) throw invalidFilter(name);
  for (const status of filters.get('status') ?? []) {
    if (!STATUSES.includes(status)) throw invalidFilter('status', status);
  }
  for (const health of filters.get('health') ?? []) {
    if (!HEALTH_STATUSES.includes(health)) throw invalid(`Unrecognised filter value for health: ${health}`);
  }
  const before = boundary(filters.get('before'), find);
  const since = boundary(filters.get('since'), find);
  return all.filter((c) => {
    if (before && c.created >= before) return false;
    if (since && c.created <= since) return false;
    return matchesAll(c, filters);
  });
}

function matchesAll(c: Container, filters: Map<string, string[]>): boolean {
  const any = (name: string, test: (value: string) => boolean) => {
    const values = filters.get(name);
    return !values || values.length === 0 || values.some(test);
  };
  return any('id', (v) => c.id.startsWith(v))
    && any('name', (v) => new RegExp(v).test(c.name.slice(1)) || new RegExp(v).test(c.name))
    && labelsMatch(c.config.Labels, filters.get('label'))
    && any('status', (v) => v === c.state.Status)
    && any('ancestor', (v) => v === c.imageName || v === c.image || c.image.startsWith(`sha256:${v}`) || c.imageName.split(':')[0] === v)
    && any('exited', (v) => c.state.Status === 'exited' && Number(v) === c.state.ExitCode)
    && any('health', (v) => (c.state.Health?.Status ?? 'none') === v)
    && any('is-task', (v) => v === 'false')
    && any('network', (v) => v === (c.hostConfig.NetworkMode || 'default'));
}

function labelsMatch(labels: Record<string, string> | null | undefined, wanted: string[] | undefined): boolean {
  if (!wanted) return true;
  return wanted.every((spec) => {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    return !!labels && key in labels && (eq < 0 || labels[key] === spec.slice(eq + 1));
  });
}

function boundary(values: string[] | undefined, find: (idOrName: string) => Container): string | undefined {
  if (!values || values.length === 0) return undefined;
  return find(values[values.length - 1]!).created;
}

export function checkPruneFilters(filters: Map<string, string[]>): void {
  for (const name of filters.keys()) if (!['until', 'label', 'label!'].includes(name)) throw invalidFilter(name);
  // A bad until fails the prune even when there is nothing to prune, as in dockerd.
  for (const until of filters.get('until') ?? []) parseTimeFilter(until);
}

/** container prune's filters: until (created before), label, label!. */
export function prunable(c: Container, filters: Map<string, string[]>): boolean {
  for (const until of filters.get('until') ?? []) {
    if (Date.parse(c.created) >= parseTimeFilter(until)) return false;
  }
  if (!labelsMatch(c.config.Labels, filters.get('label'))) return false;
  return !(filters.get('label!') ?? []).some((spec) => labelsMatch(c.config.Labels, [spec]));
}
