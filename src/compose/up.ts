/**
 * `compose up -d`: converge the engine on the project, as compose v2 does
 * (pkg/compose/convergence.go). Networks and volumes first; then each
 * service in dependency order: containers whose config hash matches are
 * left alone, changed ones are recreated, missing replicas created, extra
 * ones removed; then the stopped ones are started in dependency order,
 * each after the services it depends on are started (or healthy).
 */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { containerName, containerSpec, endpointConfig, serviceNetworks, type ContainerPlan } from './container-spec.js';
import { desiredScale, nameOf, numberOf, projectContainers, serviceOf } from './containers.js';
import { dependencyOrder } from './finalise.js';
import { pullMissing } from './images.js';
import { LABEL } from './labels.js';
import { serviceConfigHash } from './output.js';
import { containerId, type Progress } from './progress.js';
import type { Project } from './project.js';
import { ensureNetworks, ensureVolumes } from './resources.js';
import { removeContainer, waitForDependencies } from './lifecycle.js';

export interface UpOptions {
  removeOrphans?: boolean;
  /** Services named on the command line: only they and what they depend on are brought up. */
  services?: string[];
  /** Stop timeout for containers that are recreated or removed. */
  timeout?: number;
  warn: (message: string) => void;
}

/** A container the project should have, and whether it still has to be started. */
interface Converged {
  id: string;
  name: string;
  running: boolean;
}

export async function up(client: BerthClient, project: Project, progress: Progress, options: UpOptions): Promise<void> {
  const order = selected(project, options.services);
  // Images first: a pull that fails leaves nothing half-created.
  await pullMissing(client, project, order, progress);
  const existing = await projectContainers(client, project.name);
  await handleOrphans(client, project, existing, progress, options);
  await ensureNetworks(client, project, progress, options.warn);
  await ensureVolumes(client, project, progress, options.warn);
  const byService = new Map<string, Converged[]>();
  for (const service of order) {
    const mine = existing.filter((c) => serviceOf(c) === service);
    byService.set(service, await convergeService(client, project, service, mine, progress, options));
  }
  for (const service of order) {
    await waitForDependencies(client, project, service, byService, progress);
    for (const c of byService.get(service) ?? []) {
      if (!c.running) await progress.step(containerId(c.name), 'Starting', 'Started', () => client.startContainer(c.id));
    }
  }
}

/** The services to converge, dependencies first: all, or the named ones and what they depend on. */
function selected(project: Project, named: string[] | undefined): string[] {
  const order = dependencyOrder(project.model.services);
  if (!named?.length) return order;
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of Object.keys((project.model.services[name]?.depends_on ?? {}) as object)) add(dep);
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
  for (const c of orphans) await removeContainer(client, c, progress, options.timeout);
}

async function convergeService(
  client: BerthClient, project: Project, service: string, mine: ContainerSummary[], progress: Progress, options: UpOptions,
): Promise<Converged[]> {
  const hash = serviceConfigHash(project.model.services[service]);
  const scale = desiredScale(project.model.services[service]);
  const out: Converged[] = [];
  for (const c of mine.filter((c) => numberOf(c) > scale)) await removeContainer(client, c, progress, options.timeout);
  for (let number = 1; number <= scale; number++) {
    const plan: ContainerPlan = { service, number, name: containerName(project, service, number), hash };
    const current = mine.find((c) => numberOf(c) === number);
    if (current && current.Labels?.[LABEL.configHash] === hash) {
      const running = current.State === 'running';
      if (running) progress.event(containerId(nameOf(current)), 'Running');
      out.push({ id: current.Id, name: nameOf(current), running });
    } else if (current) {
      progress.event(containerId(plan.name), 'Recreate');
      plan.inherited = await anonymousVolumes(client, current.Id);
      await client.stopContainer(current.Id, { timeout: options.timeout });
      await client.removeContainer(current.Id, { force: true });
      out.push({ id: await createContainer(client, project, plan), name: plan.name, running: false });
      progress.event(containerId(plan.name), 'Recreated');
    } else {
      const id = await progress.step(containerId(plan.name), 'Creating', 'Created', () => createContainer(client, project, plan));
      out.push({ id, name: plan.name, running: false });
    }
  }
  return out;
}

/** Creates the container on its first network and connects it to the others before it starts. */
async function createContainer(client: BerthClient, project: Project, plan: ContainerPlan): Promise<string> {
  const service = project.model.services[plan.service];
  const { Id } = await client.createContainer(containerSpec(project, plan), { name: plan.name });
  if (!service.network_mode) {
    for (const key of serviceNetworks(service).slice(1)) {
      await client.connectNetwork(String(project.model.networks[key]?.name ?? key), Id, endpointConfig(service, plan.service, plan.name, key));
    }
  }
  return Id;
}

/** The container's anonymous volumes (named by the engine, not by the project), by where they are mounted. */
async function anonymousVolumes(client: BerthClient, id: string): Promise<Record<string, string>> {
  const { value } = await client.inspectContainer(id);
  const mounts = (value.Mounts ?? []) as Array<{ Type: string; Name?: string; Destination: string }>;
  return Object.fromEntries(mounts.filter((m) => m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name)).map((m) => [m.Destination, m.Name as string]));
}
