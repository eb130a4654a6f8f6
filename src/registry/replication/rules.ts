/** Replication rules as stored and as the API takes and shows them. */
import { randomBytes } from 'node:crypto';
import { invalid } from '../../lib/errors.js';
import { checkRepositoryName } from '../names.js';
import { endpointFrom, endpointView, type Endpoint } from '../remote/endpoint.js';
import { globToRegExp, type Filter } from './filter.js';

export type Trigger = 'event' | 'manual';

export interface ReplicationRule extends Filter {
  id: string;
  name: string;
  enabled: boolean;
  /** event: every push of a matching tag; manual: only when run through the API. */
  trigger: Trigger;
  target: Endpoint;
  /** Replaces the project in the names on the target ("library/busybox" → "<namespace>/busybox"); absent: same names. */
  destNamespace?: string;
  created: string;
}

/** A rule from a JSON body (POST, or PUT over `previous`). */
export function ruleFrom(project: string, body: Record<string, unknown>, previous?: ReplicationRule): ReplicationRule {
  const pick = <T>(key: string, check: (v: unknown) => v is T, fallback: T, what: string): T => {
    const v = body[key];
    if (v === undefined) return fallback;
    if (!check(v)) throw invalid(`${key} must be ${what}`);
    return v;
  };
  const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
  const isTrigger = (v: unknown): v is Trigger => v === 'event' || v === 'manual';
  const rule: ReplicationRule = {
    id: previous?.id ?? randomBytes(6).toString('hex'),
    project,
    name: pick('name', isString, previous?.name ?? '', 'a non-empty string'),
    enabled: pick('enabled', isBool, previous?.enabled ?? true, 'true or false'),
    trigger: pick('trigger', isTrigger, previous?.trigger ?? 'event', '"event" or "manual"'),
    repositories: pick('repositories', isString, previous?.repositories ?? '**', 'a pattern'),
    tags: pick('tags', isString, previous?.tags ?? '**', 'a pattern'),
    target: body.target === undefined && previous ? previous.target : endpointFrom(body.target, previous?.target),
    created: previous?.created ?? new Date().toISOString(),
  };
  if (rule.name === '') throw invalid('name must be a non-empty string');
  globToRegExp(rule.repositories);
  globToRegExp(rule.tags);
  const ns = body.dest_namespace === undefined ? previous?.destNamespace : body.dest_namespace;
  if (ns !== undefined && ns !== null && ns !== '') {
    if (typeof ns !== 'string') throw invalid('dest_namespace must be a string');
    checkRepositoryName(`${ns}/x`);
    rule.destNamespace = ns;
  }
  return rule;
}

/** What the API shows: never the target's password. */
export function ruleView(rule: ReplicationRule) {
  return {
    id: rule.id,
    project: rule.project,
    name: rule.name,
    enabled: rule.enabled,
    trigger: rule.trigger,
    repositories: rule.repositories,
    tags: rule.tags,
    dest_namespace: rule.destNamespace ?? null,
    target: endpointView(rule.target),
    created: rule.created,
  };
}

/** The repository's name on the target. */
export function destinationName(rule: ReplicationRule, repository: string): string {
  return rule.destNamespace ? `${rule.destNamespace}${repository.slice(rule.project.length)}` : repository;
}
