/**
 * `compose down`: the project's containers stopped and removed in reverse
 * dependency order (orphans too with --remove-orphans), then its networks,
 * and with -v its named volumes and the containers' anonymous ones.
 */
import { ClientError, type BerthClient, type ContainerSummary } from '../client/index.js';
import { imageName } from './build.js';
import { imageIdOf } from './image-ids.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { dependencyOrder } from './finalise.js';
import { durationSeconds } from './duration.js';
import { allSettled, inDependencyOrder } from './graph.js';
import { removeContainer } from './lifecycle.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';
import { removeNetworks, removeVolumes } from './resources.js';

export interface DownOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: number;
  /** `--rmi all`: every service's image; `local`: only those compose named itself (services without `image:`). */
  rmi?: 'all' | 'local';
  /** Services named on the command line: only their containers go; networks and volumes stay. */
  services?: string[];
  warn: (message: string) => void;
}

export async function down(client: BerthClient, project: Project, progress: Progress, options: DownOptions): Promise<void> {
  const containers = await projectContainers(client, project.name);
  const orphans = containers.filter((c) => !project.model.services[serviceOf(c)]);
  if (orphans.length > 0 && !options.removeOrphans) {
    options.warn(`Found orphan containers ([${orphans.map(nameOf).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  const named = options.services?.length ? new Set(options.services) : undefined;
  const services = dependencyOrder(project.model.services).filter((s) => !named || named.has(s));
  const remove = (c: ContainerSummary) => removeContainer(client, c, progress, options.timeout ?? stopGrace(project.model.services[serviceOf(c)]), options.volumes);
  const doomedOrphans = options.removeOrphans && !named ? orphans : [];
  await allSettled(doomedOrphans, remove);
  // Dependents first; the containers of a service, and independent services, in parallel.
  await inDependencyOrder(project.model.services, services, (service) => allSettled(containers.filter((c) => serviceOf(c) === service), remove), true);
  const doomed = [...doomedOrphans, ...containers.filter((c) => services.includes(serviceOf(c)))];
  if (options.volumes) await removeInherited(client, doomed);
  if (named) return;
  const networks = await removeNetworks(client, project, progress);
  const images = options.rmi ? await removeImages(client, project, options.rmi, progress) : false;
  const volumes = options.volumes ? await removeVolumes(client, project, progress) : false;
  if (doomed.length === 0 && !networks && !images && !volumes) progress.event(project.name, 'Warning: No resource found to remove');
}

/**
 * Anonymous volumes a recreated container inherited were passed to it by
 * name, so dockerd's `rm -v` keeps them (it removes only volumes created
 * without a source); they are removed here, as the ones it did remove are gone already.
 */
async function removeInherited(client: BerthClient, removed: ContainerSummary[]): Promise<void> {
  const names = removed.flatMap((c) => (c.Mounts ?? []).filter((m) => m.Type === 'volume' && /^[0-9a-f]{64}$/.test(m.Name ?? '')).map((m) => m.Name as string));
  const left = new Set((await client.listVolumes()).map((v) => v.Name));
  for (const name of names.filter((n) => left.has(n))) {
    // Still used by another container (volumes_from): it stays, as `rm -v` would leave it.
    await client.removeVolume(name).catch((err: unknown) => {
      if (!(err instanceof ClientError && err.statusCode === 409)) throw err;
    });
  }
}

/** The project's images that exist, each removed once; returns whether any was. */
async function removeImages(client: BerthClient, project: Project, which: 'all' | 'local', progress: Progress): Promise<boolean> {
  const services = Object.keys(project.model.services).filter((s) => which === 'all' || typeof project.model.services[s].image !== 'string');
  let removed = false;
  for (const image of new Set(services.map((s) => imageName(project, s)))) {
    if (!(await imageIdOf(client, image))) continue;
    await progress.step(`Image ${image}`, 'Removing', 'Removed', () => client.removeImage(image));
    removed = true;
  }
  return removed;
}

/** `stop_grace_period` as the engine's stop timeout. */
export function stopGrace(service: Record<string, unknown> | undefined): number | undefined {
  const text = service?.stop_grace_period;
  return typeof text === 'string' ? durationSeconds(text) : undefined;
}
