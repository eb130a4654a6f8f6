/**
 * What `compose config` prints: the model with `name` first, the top-level
 * sections in compose v2's order, services and keys sorted, empty sections
 * left out; and the per-service config hash (`--hash`).
 */
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

/** The config hash (hash.ts): kept here too because `config --hash` and `up` import it from this module. */
export { serviceConfigHash } from './hash.js';
