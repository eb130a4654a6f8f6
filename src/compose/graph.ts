/**
 * Walking the service graph as compose v2 does (pkg/compose/dependencies.go):
 * every service runs as soon as what it waits for is done, so independent
 * services run in parallel. Forward: a service after its dependencies
 * (start, restart); reverse: after the services that depend on it (stop).
 */
import { invalid } from '../lib/errors.js';
import type { Project } from './project.js';

type Services = Project['model']['services'];

export function dependenciesOf(services: Services, name: string): string[] {
  return Object.keys((services[name]?.depends_on ?? {}) as Record<string, unknown>);
}

/** Runs `work` for each of `selected`, each after the selected services it waits for; rejects with the first error once all have settled. */
export async function inDependencyOrder(services: Services, selected: string[], work: (service: string) => Promise<void>, reverse = false): Promise<void> {
  const chosen = new Set(selected);
  const waitsFor = (name: string): string[] =>
    reverse ? selected.filter((other) => dependenciesOf(services, other).includes(name)) : dependenciesOf(services, name).filter((d) => chosen.has(d));
  const running = new Map<string, Promise<void>>();
  const visit = (name: string): Promise<void> => {
    let done = running.get(name);
    if (!done) {
      // The graph has no cycles (the loader checked), so this recursion ends.
      done = Promise.all(waitsFor(name).map(visit)).then(() => work(name));
      running.set(name, done);
    }
    return done;
  };
  await allSettled(selected, visit);
}

/** Runs `fn` on every item at once and waits for all; the first error is thrown once all have settled, so nothing keeps running behind the caller. */
export async function allSettled<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(items.map(fn));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Rejects names the project does not define, with compose v2's message. */
export function checkServices(services: Services, names: string[]): void {
  for (const name of names) if (!services[name]) throw invalid(`no such service: ${name}`);
}

/** The named services and, transitively, what they depend on (all services when none is named). */
export function withDependencies(services: Services, named: string[]): string[] {
  checkServices(services, named);
  if (named.length === 0) return Object.keys(services);
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name) || !services[name]) return;
    wanted.add(name);
    dependenciesOf(services, name).forEach(add);
  };
  named.forEach(add);
  return [...wanted];
}

/** The named services and, transitively, those that depend on them with `restart: true` (restart's selection). */
export function withRestartDependents(services: Services, named: string[]): string[] {
  checkServices(services, named);
  if (named.length === 0) return Object.keys(services);
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const [other, service] of Object.entries(services)) {
      const entry = ((service.depends_on ?? {}) as Record<string, { restart?: boolean }>)[name];
      if (entry?.restart) add(other);
    }
  };
  named.forEach(add);
  return [...wanted];
}

/** The named services (checked), all when none is named; with `deps` also what they depend on. */
export function namedOrAll(services: Services, named: string[], deps = false): string[] {
  if (deps) return withDependencies(services, named);
  checkServices(services, named);
  return named.length ? named : Object.keys(services);
}
