/**
 * What `compose config` prints: the model with `name` first, the top-level
 * sections in compose v2's order, services and keys sorted, empty sections
 * left out; and the per-service config hash (`--hash`).
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { ComposeModel } from './finalise.js';

const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function printable(model: ComposeModel): Record<string, unknown> {
  const out: Record<string, unknown> = { name: model.name };
  for (const section of SECTIONS) if (Object.keys(model[section]).length > 0) out[section] = sortKeys(model[section]);
  for (const key of Object.keys(model).sort()) if (key.startsWith('x-')) out[key] = model[key];
  return out;
}

export function toYaml(model: ComposeModel): string {
  return stringify(printable(model), { lineWidth: 0, nullStr: 'null' });
}

export function toJson(model: ComposeModel): string {
  return `${JSON.stringify(printable(model), null, 4)}\n`;
}

/**
 * The hash compose stores in com.docker.compose.config-hash: a digest of the
 * service's own config. Like compose v2 it leaves out what does not change the
 * container (build, pull_policy, scale, deploy.replicas), so scaling or
 * rebuilding settings alone do not recreate containers.
 */
export function serviceConfigHash(service: Record<string, unknown>): string {
  const { build: _b, pull_policy: _p, scale: _s, ...rest } = service;
  if (rest.deploy && typeof rest.deploy === 'object') {
    const { replicas: _r, ...deploy } = rest.deploy as Record<string, unknown>;
    rest.deploy = deploy;
  }
  return createHash('sha256').update(JSON.stringify(sortKeys(rest))).digest('hex');
}
