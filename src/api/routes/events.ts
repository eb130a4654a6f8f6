/**
 * GET /events: recorded events in the since/until window, then live ones
 * until `until` passes or the client goes away, as JSON messages one per
 * line (moby's api/server/router/system getEvents).
 *
 * A client that stops reading must not hold the daemon back: events are
 * written without waiting, and while more than SLOW_CLIENT_BYTES are queued
 * for one client its new events are dropped (moby drops them too, after a
 * short timeout), so memory stays bounded and publishers never wait.
 */
import { longTimeout, type LongTimer } from '../../lib/timers.js';
import type { ServerResponse } from 'node:http';
import { invalid } from '../../lib/errors.js';
import { goQuote } from '../../lib/go-text.js';
import type { EngineEvent, EventFeed } from '../../engine/events/types.js';
import { filtersParam, type ApiRequest } from '../request.js';
import { goJsonLine } from '../respond.js';
import type { Router } from '../router.js';

const SLOW_CLIENT_BYTES = 1 << 20;

/**
 * since and until as moby's getEvents reads them (timetypes.ParseTimestamps):
 * seconds with an optional ".nanoseconds" part, as the CLIs send them, and
 * nothing else; a bad part fails in strconv's words, as there.
 */
export function timestampNs(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const dot = value.indexOf('.');
  const [seconds, fraction] = dot < 0 ? [value, undefined] : [value.slice(0, dot), value.slice(dot + 1)];
  for (const part of [seconds, fraction]) {
    if (part !== undefined && !/^[+-]?\d+$/.test(part)) throw invalid(`strconv.ParseInt: parsing ${goQuote(part)}: invalid syntax`);
  }
  return Number(seconds) * 1e9 + (fraction === undefined ? 0 : Number(fraction) * 10 ** (9 - fraction.length));
}

/** The message as the API sends it: for containers and images also the old status/id/from fields. */
export function wireEvent(event: EngineEvent): Record<string, unknown> {
  const legacy: Record<string, unknown> = {};
  if (event.Type === 'container' || event.Type === 'image') {
    legacy.status = event.Action;
    legacy.id = event.Actor.ID;
    if (event.Type === 'container') legacy.from = event.Actor.Attributes.image ?? '';
  }
  return { ...legacy, ...event };
}

export function eventRoutes(router: Router, { events }: { events: EventFeed }): void {
  router.add('GET', '/events', async (req, res) => streamEvents(req, res, events));
}

async function streamEvents(req: ApiRequest, res: ServerResponse, feed: EventFeed): Promise<void> {
  const sinceNs = timestampNs(req.query.get('since'));
  const untilNs = timestampNs(req.query.get('until'));
  if (sinceNs !== undefined && untilNs !== undefined && untilNs < sinceNs) {
    throw invalid(`\`since\` time (${req.query.get('since')}) cannot be after \`until\` time (${req.query.get('until')})`);
  }
  const send = (event: EngineEvent) => {
    if (res.writableLength > SLOW_CLIENT_BYTES) return;
    res.write(goJsonLine(wireEvent(event)));
  };
  const subscription = feed.watch({ sinceNs, untilNs, filters: filtersParam(req.query) }, send);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  // Headers go out at once so that clients know the stream is open before any event.
  res.flushHeaders();
  for (const event of subscription.past) send(event);
  const remainingMs = untilNs === undefined ? Infinity : untilNs / 1e6 - Date.now();
  if (remainingMs <= 0) {
    subscription.stop();
    res.end();
    return;
  }
  // Live events until `until` passes or the client hangs up (the response's 'close': the request's fires once its body is read).
  // `until` may be further away than one Node timer holds.
  let timer: LongTimer | undefined;
  await new Promise<void>((resolve) => {
    timer = longTimeout(resolve, remainingMs);
    res.once('close', resolve);
  });
  timer?.cancel();
  subscription.stop();
  res.end();
}
