/** Stopping, removing and waiting on the project's containers, with compose's progress events. */
import { ClientError, type BerthClient, type ContainerSummary } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { allSettled, inDependencyOrder } from './graph.js';
import { containerId, type Progress } from './progress.js';
import type { Project } from './project.js';

/** Stop (when running) then remove, as `down` and scale-down do; `volumes` also removes its anonymous volumes. */
export async function removeContainer(client: BerthClient, c: ContainerSummary, progress: Progress, timeout?: number, volumes = false): Promise<void> {
  const id = containerId(nameOf(c));
  if (c.State === 'running' || c.State === 'paused' || c.State === 'restarting') {
    await progress.step(id, 'Stopping', 'Stopped', () => client.stopContainer(c.Id, { timeout }));
  }
  await progress.step(id, 'Removing', 'Removed', () => client.removeContainer(c.Id, { force: true, volumes }));
}

/**
 * Stops the running containers of these services, dependents before what
 * they depend on (compose v2's stop); `kill` kills them instead (the second
 * Ctrl-C of an attached `up`). A container that stopped meanwhile is no error.
 */
export async function stopServices(client: BerthClient, project: Project, services: string[], progress: Progress, options: { timeout?: number; kill?: boolean } = {}): Promise<void> {
  const running = (await projectContainers(client, project.name, false)).filter((c) => services.includes(serviceOf(c)));
  await inDependencyOrder(project.model.services, services, (service) =>
    allSettled(running.filter((c) => serviceOf(c) === service), async (c) => {
      const id = containerId(nameOf(c));
      const act = options.kill ? () => client.killContainer(c.Id) : () => client.stopContainer(c.Id, { timeout: options.timeout });
      await progress.step(id, options.kill ? 'Killing' : 'Stopping', options.kill ? 'Killed' : 'Stopped', () => act().catch(ignoreGone));
    }), true);
}

function ignoreGone(err: unknown): void {
  if (!(err instanceof ClientError && (err.statusCode === 404 || err.statusCode === 409))) throw err;
}

interface Started {
  id: string;
  name: string;
}

type Condition = 'service_healthy' | 'service_completed_successfully' | 'running_or_healthy';

/**
 * Before a service starts, what it depends on must be ready: started (it
 * was started earlier in dependency order), healthy, or exited with 0.
 */
export async function waitForDependencies(client: BerthClient, project: Project, service: string, started: Map<string, Started[]>, progress: Progress): Promise<void> {
  const deps = (project.model.services[service].depends_on ?? {}) as Record<string, { condition?: string }>;
  const waits = Object.entries(deps).filter(([, { condition }]) => condition === 'service_healthy' || condition === 'service_completed_successfully');
  await Promise.all(waits.flatMap(([dep, { condition }]) => (started.get(dep) ?? []).map((c) => waitFor(client, c, condition as Condition, progress))));
}

/**
 * One container reaching a condition, with compose's `Waiting` and
 * `Healthy`/`Exited` events. The engine is polled: it has no event for
 * "became healthy" that both berthd and dockerd 20.10 report the same way.
 * `cancelled` ends the polling (a --wait-timeout that passed).
 */
export async function waitFor(client: BerthClient, c: Started, condition: Condition, progress: Progress, cancelled = () => false): Promise<void> {
  progress.event(containerId(c.name), 'Waiting');
  if (condition === 'service_completed_successfully') {
    const { result } = await client.waitContainer(c.id, 'not-running');
    const { StatusCode } = await result;
    if (StatusCode !== 0) throw invalid(`service "${c.name}" didn't complete successfully: exit ${StatusCode}`);
    progress.event(containerId(c.name), 'Exited');
    return;
  }
  while (!(await healthy(client, c, condition === 'running_or_healthy'))) {
    if (cancelled()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  progress.event(containerId(c.name), 'Healthy');
}

/** compose v2's isServiceHealthy: an exited or unhealthy container fails; `fallbackRunning` accepts a running one without healthcheck. */
async function healthy(client: BerthClient, c: Started, fallbackRunning: boolean): Promise<boolean> {
  const { value } = await client.inspectContainer(c.id);
  if (value.State.Status === 'exited' || value.State.Status === 'dead') throw invalid(`dependency failed to start: container ${c.name} exited (${value.State.ExitCode})`);
  const health = value.State.Health?.Status;
  if (!health || health === 'none') {
    if (fallbackRunning) return Boolean(value.State.Running);
    throw invalid(`container ${c.name} has no healthcheck configured`);
  }
  if (health === 'unhealthy') throw invalid(`dependency failed to start: container ${c.name} is unhealthy`);
  return health === 'healthy';
}
