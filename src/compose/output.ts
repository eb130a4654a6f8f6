/**
 * What `compose config` prints: the model with `name` first, the top-level
 * sections in compose v2's order, services and resources sorted by name and
 * each in compose v2's printed form (go-form.ts), empty sections left out;
 * and the per-service config hash (`--hash`).
 */
import { stringify } from 'yaml';
import type { ComposeModel } from './finalise.js';
import { printedResource, printedService, sortKeys, type Encoding } from './go-form.js';

const RESOURCE_SECTIONS = ['networks', 'volumes', 'secrets', 'configs'] as const;

export function printable(model: ComposeModel, encoding: Encoding = 'yaml'): Record<string, unknown> {
  const out: Record<string, unknown> = { name: model.name };
  const services = model.services;
  // Even none: compose v2 prints `services: {}`.
  out.services = Object.fromEntries(Object.keys(services).sort().map((name) => [name, printedService(services[name] as Record<string, unknown>, encoding)]));
  for (const section of RESOURCE_SECTIONS) {
    const defs = model[section] as Record<string, Record<string, unknown>>;
    if (Object.keys(defs).length > 0) out[section] = Object.fromEntries(Object.keys(defs).sort().map((name) => [name, printedResource(section, defs[name] ?? {}, encoding)]));
  }
  for (const key of Object.keys(model).sort()) if (key.startsWith('x-')) out[key] = sortKeys(model[key]);
  return out;
}

export function toYaml(model: ComposeModel): string {
  // YAML 1.1's scalars are quoted ("y", "n", "on"), as Go's yaml.v3 quotes them.
  return stringify(printable(model), { lineWidth: 0, nullStr: 'null', version: '1.1' });
}

export function toJson(model: ComposeModel): string {
  // encoding/json writes the project's top-level keys sorted; compose v2 indents by two and ends without a newline.
  return JSON.stringify(sortTop(printable(model, 'json')), null, 2);
}

function sortTop(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
}

/** The config hash (hash.ts): kept here too because `config --hash` and `up` import it from this module. */
export { serviceConfigHash } from './hash.js';
