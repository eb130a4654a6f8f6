/** System endpoints of the Engine API. */
import type { ApiClient } from './client.js';
import { encodeFilters } from './filters.js';
import { readJsonMessages } from './jsonstream.js';
import type { DiskUsage, Filters, SystemInfo, VersionResponse } from './types.js';

export function version(api: ApiClient): Promise<VersionResponse> {
  return api.requestJson<VersionResponse>('GET', '/version');
}

export function info(api: ApiClient): Promise<SystemInfo> {
  return api.requestJson<SystemInfo>('GET', '/info');
}

export type DiskUsageType = 'container' | 'image' | 'volume' | 'build-cache';

export function systemDf(api: ApiClient, types?: readonly DiskUsageType[]): Promise<DiskUsage> {
  return api.requestJson<DiskUsage>('GET', '/system/df', { query: { type: types && types.length ? types : undefined } });
}

/** One /events message (the old status/id/from fields are there for container and image events). */
export interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

/**
 * GET /events: past events in the since/until window, then live ones until
 * `until` passes or `signal` aborts. since/until are docker's API timestamps
 * ("seconds[.nanoseconds]").
 */
export async function* events(
  api: ApiClient,
  options: { since?: string; until?: string; filters?: Filters; signal?: AbortSignal },
): AsyncGenerator<EventMessage> {
  const res = await api.request('GET', '/events', { query: { since: options.since || undefined, until: options.until || undefined, filters: encodeFilters(options.filters) }, longLived: true });
  const stop = () => res.body.destroy();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const message of readJsonMessages(res.body)) yield message as unknown as EventMessage;
  } catch (err) {
    if (!options.signal?.aborted) throw err;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    res.body.destroy();
  }
}
