/**
 * `compose events`: the engine's container events for the project's
 * service containers (not one-off ones), with compose's own labels left out
 * of the attributes, in compose v2's text or JSON form (pkg/compose/events.go).
 */
import type { BerthClient } from '../client/index.js';
import { events as engineEvents } from '../client/system.js';
import { LABEL, projectFilter } from './labels.js';

export interface ComposeEvent {
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
  service: string;
  container: string;
  action: string;
  attributes: Record<string, string>;
}

export async function* projectEvents(
  client: BerthClient, project: string, options: { services: string[]; since?: string; until?: string; signal?: AbortSignal },
): AsyncGenerator<ComposeEvent> {
  for await (const e of engineEvents(client.api, { since: options.since, until: options.until, filters: projectFilter(project), signal: options.signal })) {
    const attrs = e.Actor?.Attributes ?? {};
    if (e.Type !== 'container' || attrs[LABEL.oneoff] === 'True') continue;
    const service = attrs[LABEL.service] ?? '';
    if (options.services.length && !options.services.includes(service)) continue;
    const attributes = Object.fromEntries(Object.entries(attrs).filter(([k]) => !k.startsWith('com.docker.compose.')));
    const timeNano = e.timeNano ? BigInt(e.timeNano) : BigInt(e.time) * 1_000_000_000n;
    yield { timeNano, service, container: e.Actor.ID, action: e.Action, attributes };
  }
}

const pad = (n: number | bigint, width = 2): string => String(n).padStart(width, '0');

function localParts(timeNano: bigint): { date: Date; micros: string; nanos: string } {
  const date = new Date(Number(timeNano / 1_000_000n));
  const fraction = timeNano % 1_000_000_000n;
  return { date, micros: pad(fraction / 1000n, 6), nanos: pad(fraction, 9) };
}

/** compose's api.Event.String(): Go layout "2006-01-02 15:04:05.000000" in local time, attributes sorted. */
export function eventText(e: ComposeEvent): string {
  const { date, micros } = localParts(e.timeNano);
  const stamp = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${micros}`;
  const attrs = Object.keys(e.attributes).sort().map((k) => `${k}=${e.attributes[k]}`).join(', ');
  return `${stamp} container ${e.action} ${e.container} (${attrs})\n`;
}

/** The --json line: Go marshals the map with its keys sorted and the time as RFC 3339 with nanoseconds. */
export function eventJson(e: ComposeEvent): string {
  const { date, nanos } = localParts(e.timeNano);
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const fraction = nanos.replace(/0+$/, '');
  const time = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${fraction ? `.${fraction}` : ''}${zone}`;
  const attributes = Object.fromEntries(Object.keys(e.attributes).sort().map((k) => [k, e.attributes[k]]));
  return JSON.stringify({ action: e.action, attributes, id: e.container, service: e.service, time, type: 'container' });
}
