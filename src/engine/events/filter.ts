/**
 * moby's event filter (daemon/events/filter.go): every filter name given must
 * match. container, daemon, volume, network and plugin match the actor's ID
 * or its name attribute by prefix; image matches the image ID or name, with
 * or without its tag; event matches the action exactly, except that
 * health_status, exec_create and exec_start also match their "…: detail" forms;
 * label matches attributes as key or key=value. Other names are no filter at
 * all: dockerd's GET /events takes them without a word (it never validates).
 */
import type { EngineEvent } from './types.js';

type Filters = Map<string, string[]>;

/** Swarm objects: berth has none, so a filter on them matches nothing. */
const SWARM_ONLY = ['config', 'node', 'secret', 'service'];
const PREFIX_ACTIONS = ['health_status', 'exec_create', 'exec_start'];

const exact = (filters: Filters, name: string, ...sources: string[]) => {
  const values = filters.get(name);
  return !values || sources.some((s) => values.includes(s));
};

const fuzzy = (filters: Filters, name: string, ...sources: string[]) => {
  const values = filters.get(name);
  return !values || sources.some((s) => values.some((v) => s === v || (s !== '' && s.startsWith(v))));
};

function matchEvent(filters: Filters, action: string): boolean {
  const values = filters.get('event');
  if (!values) return true;
  if (values.some((v) => PREFIX_ACTIONS.includes(v))) return values.some((v) => action === v || action.startsWith(v));
  return values.includes(action);
}

function matchName(filters: Filters, type: string, event: EngineEvent): boolean {
  return fuzzy(filters, type, event.Actor.ID, event.Actor.Attributes.name ?? '');
}

function stripTag(name: string): string {
  const at = name.indexOf('@');
  if (at >= 0) return name.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

function matchImage(filters: Filters, event: EngineEvent): boolean {
  const id = event.Actor.ID;
  const name = event.Actor.Attributes[event.Type === 'image' ? 'name' : 'image'] ?? '';
  return exact(filters, 'image', id, name, stripTag(id), stripTag(name));
}

function matchLabels(filters: Filters, attributes: Record<string, string>): boolean {
  const labels = filters.get('label');
  if (!labels) return true;
  return labels.every((label) => {
    const eq = label.indexOf('=');
    return eq < 0 ? label in attributes : attributes[label.slice(0, eq)] === label.slice(eq + 1);
  });
}

export function eventMatches(filters: Filters, event: EngineEvent): boolean {
  if (SWARM_ONLY.some((name) => filters.has(name))) return false;
  return matchEvent(filters, event.Action)
    && exact(filters, 'type', event.Type)
    && exact(filters, 'scope', event.scope)
    && ['daemon', 'container', 'plugin', 'volume', 'network'].every((type) => matchName(filters, type, event))
    && matchImage(filters, event)
    && matchLabels(filters, event.Actor.Attributes);
}
