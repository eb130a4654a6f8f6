/**
 * Running one operation per service in dependency order, as compose v2's
 * graph traversal does (pkg/compose/dependencies.go): a service's operation
 * starts as soon as those of the services it depends on have finished, so
 * independent services proceed in parallel. `reverse` walks the other way
 * (dependents first), as stopping and removing do.
 */
type Dict = Record<string, unknown>;

function dependenciesOf(services: Record<string, Dict>, name: string): string[] {
  return Object.keys((services[name]?.depends_on ?? {}) as Dict);
}

/**
 * Runs `fn` for every service in `selected`; dependencies outside the
 * selection are not waited for. Every operation is allowed to settle before
 * the first error is thrown, so nothing keeps running behind the caller.
 */
export async function inDependencyOrder(
  services: Record<string, Dict>, selected: string[], fn: (service: string) => Promise<void>, reverse = false,
): Promise<void> {
  const chosen = new Set(selected);
  const before = (name: string): string[] =>
    reverse ? selected.filter((other) => dependenciesOf(services, other).includes(name)) : dependenciesOf(services, name).filter((d) => chosen.has(d));
  const running = new Map<string, Promise<void>>();
  const visit = (name: string): Promise<void> => {
    let p = running.get(name);
    if (!p) {
      p = (async () => {
        // Yield first so the promise is registered before its prerequisites are visited (finalise.ts rejects cycles).
        await Promise.resolve();
        await allSettled(before(name), visit);
        await fn(name);
      })();
      running.set(name, p);
    }
    return p;
  };
  await allSettled(selected, visit);
}

/** Runs `fn` on every item at once and waits for all; the first error is thrown once all have settled. */
export async function allSettled<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(items.map(fn));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
