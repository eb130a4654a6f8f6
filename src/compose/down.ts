/**
 * `compose down`: the project's containers stopped and removed in reverse
 * dependency order (orphans too with --remove-orphans), then its networks,
 * and with -v its named volumes and the containers' anonymous ones.
 */
import { ClientError, type BerthClient, type ContainerSummary } from '../client/index.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { dependencyOrder } from './finalise.js';
import { durationSeconds } from './duration.js';
import { removeContainer } from './lifecycle.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';
import { removeNetworks, removeVolumes } from './resources.js';

export interface DownOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: number;
  /** Services named on the command line: only their containers go; networks and volumes stay. */
  services?: string[];
  warn: (message: string) => void;
}

export async function down(client: BerthClient, project: Project, progress: Progress, options: DownOptions): Promise<void> {
  const containers = await projectContainers(client, project.name);
  const order = dependencyOrder(project.model.services).reverse();
  const orphans = containers.filter((c) => !project.model.services[serviceOf(c)]);
  if (orphans.length > 0 && !options.removeOrphans) {
    options.warn(`Found orphan containers ([${orphans.map(nameOf).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  const named = options.services?.length ? new Set(options.services) : undefined;
  const doomed = [
    ...(options.removeOrphans && !named ? orphans : []),
    ...order.filter((s) => !named || named.has(s)).flatMap((service) => containers.filter((c) => serviceOf(c) === service)),
  ];
  for (const c of doomed) {
    const service = project.model.services[serviceOf(c)];
    await removeContainer(client, c, progress, options.timeout ?? stopGrace(service), options.volumes);
  }
  if (options.volumes) await removeInherited(client, doomed);
  if (named) return;
  const networks = await removeNetworks(client, project, progress);
  const volumes = options.volumes ? await removeVolumes(client, project, progress) : false;
  if (doomed.length === 0 && !networks && !volumes) progress.event(project.name, 'Warning: No resource found to remove');
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

/** `stop_grace_period` as the engine's stop timeout. */
export function stopGrace(service: Record<string, unknown> | undefined): number | undefined {
  const text = service?.stop_grace_period;
  return typeof text === 'string' ? durationSeconds(text) : undefined;
}
