/**
 * `compose up` and `compose create`: converge the engine on the project, as
 * compose v2 does (pkg/compose/create.go, convergence.go, start.go).
 * Images first (built or pulled), so a failure leaves nothing half-created;
 * then networks and volumes (in parallel); then each service's containers,
 * all at once but for what a create body names; and (unless only creating)
 * the stopped ones started, each service once its containers exist and what
 * it depends on is started, healthy or completed; with `wait`, until all are
 * running or healthy.
 */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { convergeService, type Converged, type ConvergeOptions } from './converge.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { dependencyOrder, referencedServices } from './finalise.js';
import { allSettled, dependenciesOf, inDependencyOrder } from './graph.js';
import { ImageIds } from './image-ids.js';
import { checkReferences } from './inject.js';
import { ensureImages, type ImageOptions } from './build.js';
import { removeContainer } from './lifecycle.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';
import { ensureNetworks, ensureVolumes } from './resources.js';
import { startService, waitRunningOrHealthy } from './start.js';

export interface UpOptions extends ConvergeOptions, ImageOptions {
  removeOrphans?: boolean;
  /** Services named on the command line: only they and (unless noDeps) what they depend on are brought up. */
  services?: string[];
  noDeps?: boolean;
  /** `create`: converge without starting. */
  noStart?: boolean;
  /** `--wait`: after starting, wait until every container is running (or healthy when it has a healthcheck). */
  wait?: boolean;
  /** `--wait-timeout`, in seconds. */
  waitTimeout?: number;
  warn: (message: string) => void;
}

export type ProjectContainers = Map<string, Converged[]>;

export async function up(client: BerthClient, project: Project, progress: Progress, options: UpOptions): Promise<ProjectContainers> {
  if (options.noStart) return create(client, project, progress, options);
  const { order, creations } = await startCreating(client, project, progress, options);
  // Each service starts once its own containers exist and what it depends on has started (or is healthy, or
  // completed), while the others are still being created: the daemon's latency overlaps instead of adding up.
  const byService: ProjectContainers = new Map();
  const starting = inDependencyOrder(project.model.services, order, async (service) => {
    byService.set(service, await creations.get(service)!);
    await startService(client, project, service, byService, progress);
  });
  await settleAll([starting, ...creations.values()]);
  const created = inOrder(order, byService);
  if (options.wait) await waitRunningOrHealthy(client, project, created, progress, options.waitTimeout);
  return created;
}

/** Everything up to and including the containers: what `create` does, and attached `up` before it attaches and starts them. */
export async function create(client: BerthClient, project: Project, progress: Progress, options: UpOptions): Promise<ProjectContainers> {
  const { order, creations } = await startCreating(client, project, progress, options);
  const byService: ProjectContainers = new Map();
  await allSettled(order, async (service) => byService.set(service, await creations.get(service)!));
  return inOrder(order, byService);
}

/** Map order is dependency order, whatever order the services finished in. */
function inOrder(order: string[], byService: ProjectContainers): ProjectContainers {
  return new Map(order.map((s) => [s, byService.get(s) ?? []]));
}

/** Settles every promise, then throws the first failure. */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  await allSettled(promises, (p) => p);
}

/**
 * Images, orphans, networks and volumes (what must exist before any
 * container), then every service's convergence under way: a service's
 * containers are created once the containers its create body names exist;
 * the rest of depends_on orders only the starts, so creation runs in
 * parallel. Each promise already has a handler, so one that fails while
 * nobody awaits it yet is not an unhandled rejection.
 */
async function startCreating(client: BerthClient, project: Project, progress: Progress, options: UpOptions): Promise<{ order: string[]; creations: Map<string, Promise<Converged[]>> }> {
  const order = selected(project, options.services, options.noDeps);
  checkReferences(project, order);
  const images = new ImageIds(client);
  // Reading the project's containers changes nothing, so it need not wait for the images; what is created or removed does.
  const listing = projectContainers(client, project.name);
  listing.catch(() => undefined);
  await ensureImages(client, project, order, progress, options, images);
  const existing = await listing;
  await settleAll([
    handleOrphans(client, project, existing, progress, options),
    ensureNetworks(client, project, progress, options.warn),
    ensureVolumes(client, project, progress, options.warn),
  ]);
  const references = creationOrder(project);
  const creations = new Map<string, Promise<Converged[]>>();
  const converge = (service: string): Promise<Converged[]> => {
    let done = creations.get(service);
    if (!done) {
      // The graph has no cycles (the loader checked), so this recursion ends.
      const first = dependenciesOf(references, service).filter((d) => order.includes(d));
      done = settleAll(first.map(converge)).then(() => convergeService(client, project, service, existing.filter((c) => serviceOf(c) === service), progress, {
        ...options, recreate: recreateFor(service, options), images,
      }));
      done.catch(() => undefined);
      creations.set(service, done);
    }
    return done;
  };
  order.forEach(converge);
  return { order, creations };
}

/** Each service with, as its dependencies, only the services whose containers its create body names. */
function creationOrder(project: Project): Project['model']['services'] {
  return Object.fromEntries(Object.entries(project.model.services).map(([name, service]) => [
    name, { depends_on: Object.fromEntries(referencedServices(service).map((r) => [r.name, {}])) },
  ]));
}

/**
 * --force-recreate applies to the services named on the command line (all
 * when none is); what they depend on is recreated only when it diverged,
 * and never with --no-recreate, as compose v2's RecreateDependencies.
 */
function recreateFor(service: string, options: UpOptions): ConvergeOptions['recreate'] {
  const named = !options.services?.length || options.services.includes(service);
  if (named || options.recreate === 'never') return options.recreate;
  return 'diverged';
}

/** The services to converge, dependencies first: all, or the named ones and (unless noDeps) what they depend on. */
export function selected(project: Project, named: string[] | undefined, noDeps = false): string[] {
  const order = dependencyOrder(project.model.services);
  if (!named?.length) return order;
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    if (!noDeps) for (const dep of Object.keys((project.model.services[name]?.depends_on ?? {}) as object)) add(dep);
  };
  named.forEach(add);
  return order.filter((s) => wanted.has(s));
}

async function handleOrphans(client: BerthClient, project: Project, existing: ContainerSummary[], progress: Progress, options: UpOptions): Promise<void> {
  const orphans = existing.filter((c) => !project.model.services[serviceOf(c)]);
  if (orphans.length === 0) return;
  if (!options.removeOrphans) {
    options.warn(`Found orphan containers ([${orphans.map(nameOf).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
    return;
  }
  await Promise.all(orphans.map((c) => removeContainer(client, c, progress, options.timeout)));
}
