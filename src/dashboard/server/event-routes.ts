/**
 * GET /api/events: the engines' /events of every host merged into one
 * JSON-lines stream, each event tagged with its host, from `since` (seconds,
 * default the last ten minutes) on, followed until the browser leaves. A
 * host that cannot be reached says so in a line of its own.
 */
import type { EventMessage } from '../../client/system.js';
import { events } from '../../client/system.js';
import { invalid } from '../../lib/errors.js';
import type { EventRow } from '../shared/operations.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import type { Router } from './http.js';
import { startLines, writeLine } from './ndjson.js';

const DEFAULT_HISTORY_S = 600;

export function eventRow(host: string, e: EventMessage): EventRow {
  const attributes = e.Actor?.Attributes ?? {};
  return {
    host,
    type: e.Type,
    action: e.Action,
    id: e.Actor?.ID ?? e.id ?? '',
    name: attributes.name ?? attributes.image ?? '',
    attributes,
    time: e.timeNano ? e.timeNano / 1e6 : e.time * 1000,
  };
}

export function eventRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  r.on('GET', '/api/events', async ({ req, res, url }) => {
    guard.require(req, 'viewer');
    const since = url.searchParams.get('since') ?? String(Math.floor(Date.now() / 1000) - DEFAULT_HISTORY_S);
    if (!/^\d+(\.\d+)?$/.test(since)) throw invalid('since must be seconds since the epoch');
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    startLines(res);
    await Promise.all(hosts.summaries().map(async ({ name }) => {
      let client;
      try {
        client = hosts.get(name).streamClient();
        for await (const e of events(client.api, { since, signal: abort.signal })) writeLine(res, eventRow(name, e));
      } catch (err) {
        if (!abort.signal.aborted) writeLine(res, { host: name, error: err instanceof Error ? err.message : String(err) });
      } finally {
        client?.close();
      }
    }));
    res.end();
  });
}
