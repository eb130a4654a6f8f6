/** Stopping, removing and waiting on the project's containers, with compose's progress events. */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import { nameOf } from './containers.js';
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

interface Started {
  id: string;
  name: string;
}

/**
 * Before a service starts, what it depends on must be ready: started (it
 * was started earlier in dependency order), healthy, or exited with 0.
 * The engine is polled: it has no event for "became healthy" that both
 * berthd and dockerd 20.10 report the same way.
 */
export async function waitForDependencies(client: BerthClient, project: Project, service: string, started: Map<string, Started[]>, progress: Progress): Promise<void> {
  const deps = (project.model.services[service].depends_on ?? {}) as Record<string, { condition?: string }>;
  for (const [dep, { condition }] of Object.entries(deps)) {
    if (condition !== 'service_healthy' && condition !== 'service_completed_successfully') continue;
    for (const c of started.get(dep) ?? []) {
      progress.event(containerId(c.name), 'Waiting');
      await (condition === 'service_healthy' ? untilHealthy(client, c.id, c.name) : untilExitedOk(client, c.id, c.name));
      progress.event(containerId(c.name), condition === 'service_healthy' ? 'Healthy' : 'Exited');
    }
  }
}

async function untilHealthy(client: BerthClient, id: string, name: string): Promise<void> {
  for (;;) {
    const { value } = await client.inspectContainer(id);
    const health = value.State.Health?.Status;
    if (!health) throw invalid(`container ${name} has no healthcheck configured`);
    if (health === 'healthy') return;
    if (health === 'unhealthy') throw invalid(`dependency failed to start: container ${name} is unhealthy`);
    if (!value.State.Running) throw invalid(`dependency failed to start: container ${name} exited (${value.State.ExitCode})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function untilExitedOk(client: BerthClient, id: string, name: string): Promise<void> {
  const { result } = await client.waitContainer(id, 'not-running');
  const { StatusCode } = await result;
  if (StatusCode !== 0) throw invalid(`service "${name}" didn't complete successfully: exit ${StatusCode}`);
}
