/**
 * `up --scale SERVICE=NUM` and `compose scale SERVICE=NUM...`: the number of
 * containers a service runs, set on the model before convergence as compose
 * v2 does (it overrides `scale` and `deploy.replicas`; neither is part of the
 * config hash, so the existing replicas are kept).
 */
import { invalid } from '../lib/errors.js';
import type { Project } from './project.js';

/** `web=2` → ['web', 2]; what compose v2 rejects, with its words. */
export function parseScale(spec: string): [string, number] {
  const eq = spec.indexOf('=');
  if (eq < 0) throw invalid(`Invalid scale specifier: ${spec}`);
  const name = spec.slice(0, eq);
  const text = spec.slice(eq + 1);
  if (!/^\d+$/.test(text)) throw invalid(`Invalid scale specifier: ${spec}`);
  return [name, Number(text)];
}

export function applyScale(project: Project, specs: string[]): string[] {
  const names: string[] = [];
  for (const spec of specs) {
    const [name, replicas] = parseScale(spec);
    const service = project.model.services[name];
    if (!service) throw invalid(`no such service: ${name}`);
    service.scale = replicas;
    if (service.deploy && typeof service.deploy === 'object') (service.deploy as Record<string, unknown>).replicas = replicas;
    names.push(name);
  }
  return names;
}
