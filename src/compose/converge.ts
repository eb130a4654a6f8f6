/**
 * One service's containers brought to what the project says (compose v2's
 * convergence.go ensureService): replicas above the scale removed (highest
 * numbers first), those whose config hash matches left alone, changed ones
 * recreated (keeping their anonymous volumes unless told to renew them),
 * missing ones created. Containers of one service are handled in parallel.
 */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import { imageName } from './build.js';
import { containerName, containerSpec, type ContainerPlan } from './container-spec.js';
import { desiredScale, nameOf, numberOf } from './containers.js';
import { allSettled } from './graph.js';
import { ImageIds } from './image-ids.js';
import { injectFiles } from './inject.js';
import { LABEL } from './labels.js';
import { connectOtherNetworks, networksAtCreate } from './networking.js';
import { removeContainer } from './lifecycle.js';
import { serviceConfigHash } from './output.js';
import { containerId, type Progress } from './progress.js';
import type { Project } from './project.js';

/** A container the project should have, and whether it still has to be started. */
export interface Converged {
  id: string;
  name: string;
  service: string;
  running: boolean;
}

export type RecreatePolicy = 'diverged' | 'force' | 'never';

export interface ConvergeOptions {
  recreate?: RecreatePolicy;
  /** `-V`: a recreated container gets new anonymous volumes instead of its predecessor's. */
  renewAnonVolumes?: boolean;
  timeout?: number;
  /** The image IDs this run already asked for. */
  images?: ImageIds;
}

export async function convergeService(
  client: BerthClient, project: Project, service: string, mine: ContainerSummary[], progress: Progress, options: ConvergeOptions,
): Promise<Converged[]> {
  const config = project.model.services[service];
  const hash = serviceConfigHash(config);
  const image = await (options.images ?? new ImageIds(client)).id(imageName(project, service));
  const scale = desiredScale(config);
  if (scale > 1 && typeof config.container_name === 'string') {
    throw invalid(`services.${service}: can't set container_name and ${service} as container name must be unique: invalid compose project`);
  }
  const sorted = [...mine].sort((a, b) => numberOf(a) - numberOf(b));
  const kept = sorted.slice(0, scale);
  await allSettled(sorted.slice(scale).reverse(), (c) => removeContainer(client, c, progress, options.timeout));
  const used = new Set(kept.map(numberOf));
  const fresh: number[] = [];
  for (let n = 1; fresh.length < scale - kept.length; n++) if (!used.has(n)) fresh.push(n);
  const out: Converged[] = [];
  const plan = (number: number): ContainerPlan => ({ service, number, name: containerName(project, service, number), hash, imageId: image });
  await allSettled([...kept.map((c) => ({ c, number: numberOf(c) })), ...fresh.map((number) => ({ c: undefined, number }))], async ({ c, number }) => {
    out.push(c ? await keepOrRecreate(client, project, plan(number), c, progress, options) : await create(client, project, plan(number), progress));
  });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function keepOrRecreate(
  client: BerthClient, project: Project, plan: ContainerPlan, current: ContainerSummary, progress: Progress, options: ConvergeOptions,
): Promise<Converged> {
  const policy = options.recreate ?? 'diverged';
  // A rebuilt or newly pulled image changes the container as much as its config does.
  // Compose v2 compares the image label; a container made without one is compared by the image it runs.
  const madeFrom = current.Labels?.[LABEL.image] ?? current.ImageID;
  const diverged = current.Labels?.[LABEL.configHash] !== plan.hash || (plan.imageId !== undefined && madeFrom !== plan.imageId);
  if (policy === 'never' || (policy === 'diverged' && !diverged)) {
    const running = current.State === 'running';
    if (running) progress.event(containerId(nameOf(current)), 'Running');
    return { id: current.Id, name: nameOf(current), service: plan.service, running };
  }
  progress.event(containerId(plan.name), 'Recreate');
  if (!options.renewAnonVolumes) plan.inherited = await anonymousVolumes(client, current.Id);
  await client.stopContainer(current.Id, { timeout: options.timeout });
  // With -V the old anonymous volumes go with the old container; otherwise the new one mounts them by name.
  await client.removeContainer(current.Id, { force: true, volumes: Boolean(options.renewAnonVolumes) });
  const id = await createContainer(client, project, plan);
  progress.event(containerId(plan.name), 'Recreated');
  return { id, name: plan.name, service: plan.service, running: false };
}

async function create(client: BerthClient, project: Project, plan: ContainerPlan, progress: Progress): Promise<Converged> {
  const id = await progress.step(containerId(plan.name), 'Creating', 'Created', () => createContainer(client, project, plan));
  return { id, name: plan.name, service: plan.service, running: false };
}

/** Creates the container on its networks (the first, or all when the engine takes them at once; the others connected after) and writes in its inline secrets and configs. */
async function createContainer(client: BerthClient, project: Project, plan: ContainerPlan): Promise<string> {
  const full = { ...plan, allNetworks: await networksAtCreate(client) };
  const { Id } = await client.createContainer(containerSpec(project, full), { name: plan.name });
  await connectOtherNetworks(client, project, plan.service, Id, full);
  await injectFiles(client, project, project.model.services[plan.service], Id);
  return Id;
}

/** The container's anonymous volumes (named by the engine, not by the project), by where they are mounted. */
async function anonymousVolumes(client: BerthClient, id: string): Promise<Record<string, string>> {
  const { value } = await client.inspectContainer(id);
  const mounts = (value.Mounts ?? []) as Array<{ Type: string; Name?: string; Destination: string }>;
  return Object.fromEntries(mounts.filter((m) => m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name)).map((m) => [m.Destination, m.Name as string]));
}
