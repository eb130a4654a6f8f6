/**
 * When the registry collects garbage on its own: never, every N hours, or
 * daily at a UTC time (the registry's clock; UTC so the time means the same
 * on every host and across daylight-saving changes).
 */
import { invalid } from '../lib/errors.js';

import type { GcSchedule } from './console/web/wire.js';

export type { GcSchedule };

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** At most every 1 hour, at least every 90 days. */
const MIN_HOURS = 1;
const MAX_HOURS = 90 * 24;

/** A schedule from the API's JSON ({kind, hours} or {kind, time}); anything else is an error saying what is expected. */
export function parseSchedule(value: unknown): GcSchedule {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (v.kind === 'none') return { kind: 'none' };
  if (v.kind === 'interval') {
    const hours = v.hours;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < MIN_HOURS || hours > MAX_HOURS) {
      throw invalid(`an interval schedule needs hours: a whole number from ${MIN_HOURS} to ${MAX_HOURS}`);
    }
    return { kind: 'interval', hours };
  }
  if (v.kind === 'daily') {
    const time = typeof v.time === 'string' ? v.time : '';
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw invalid('a daily schedule needs time: HH:MM (24-hour, UTC)');
    return { kind: 'daily', time };
  }
  throw invalid('schedule kind must be none, interval or daily');
}

/**
 * When the next scheduled run is due (ms since the epoch), or undefined for
 * none. An interval counts from the last scheduled run; one missed while
 * the registry was down is due at once. A daily run is the next HH:MM UTC
 * after `now` that is not the day of the last scheduled run at that time.
 */
export function nextRun(schedule: GcSchedule, lastRun: number | undefined, now: number): number | undefined {
  if (schedule.kind === 'none') return undefined;
  if (schedule.kind === 'interval') return lastRun === undefined ? now + schedule.hours * HOUR_MS : Math.max(now, lastRun + schedule.hours * HOUR_MS);
  const [h, m] = schedule.time.split(':').map(Number) as [number, number];
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  let at = midnight + h * HOUR_MS + m * 60_000;
  if (at <= now || (lastRun !== undefined && at <= lastRun)) at += DAY_MS;
  return at;
}

export function describeSchedule(s: GcSchedule): string {
  if (s.kind === 'none') return 'not scheduled';
  return s.kind === 'interval' ? `every ${s.hours} hour${s.hours === 1 ? '' : 's'}` : `daily at ${s.time} UTC`;
}
