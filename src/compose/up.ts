/**
 * `compose up` and `compose create`: converge the engine on the project, as
 * compose v2 does (pkg/compose/create.go, convergence.go, start.go).
 * Images first (built or pulled), so a failure leaves nothing half-created;
 * then networks and volumes; then each service's containers, services in
 * dependency order with independent ones in parallel; then (unless only
 * creating) the stopped ones started, each service once what it depends on
 * is started, healthy or completed; with `wait`, until all are running or healthy.
 */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { convergeService, type Converged, type ConvergeOptions } from './converge.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { dependencyOrder, referencedServices } from './finalise.js';
import { inDependencyOrder } from './graph.js';
import { ensureImages, type ImageOptions } from './build.js';
import { removeContainer } from './lifecycle.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';
import { ensureNetworks, ensureVolumes } from './resources.js';
import { startServices, waitRunningOrHealthy } from './start.js';

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
  const created = await create(client, project, progress, options);
  if (options.noStart) return created;
  await startServices(client, project, created, progress);
  if (options.wait) await waitRunningOrHealthy(client, project, created, progress, options.waitTimeout);
  return created;
}

/** Everything up to and including the containers: what `create` does, and `up` before it starts them. */
export async function create(client: BerthClient, project: Project, progress: Progress, options: UpOptions): Promise<ProjectContainers> {
  const order = selected(project, options.services, options.noDeps);
  await ensureImages(client, project, order, progress, options);
  const existing = await projectContainers(client, project.name);
  await handleOrphans(client, project, existing, progress, options);
  await ensureNetworks(client, project, progress, options.warn);
  await ensureVolumes(client, project, progress, options.warn);
  const byService: ProjectContainers = new Map();
  // A container is created once the containers its create body names exist; the rest of depends_on
  // orders only the starts, so creation runs in parallel (the daemon's latency is most of `up`).
  await inDependencyOrder(creationOrder(project), order, async (service) => {
    const mine = existing.filter((c) => serviceOf(c) === service);
    byService.set(service, await convergeService(client, project, service, mine, progress, { ...options, recreate: recreateFor(service, options) }));
  });
  // Map order is dependency order, whatever order the services finished in.
  return new Map(order.map((s) => [s, byService.get(s) ?? []]));
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
