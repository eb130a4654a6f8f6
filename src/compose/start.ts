/**
 * Starting what `create` converged (compose v2's start.go): services in
 * dependency order, each once what it depends on is started, healthy or
 * completed; the containers of a service in parallel. And `--wait`: every
 * container running, or healthy when it has a healthcheck, within a timeout.
 */
import type { BerthClient } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import type { Converged } from './converge.js';
import { allSettled, inDependencyOrder } from './graph.js';
import { waitFor, waitForDependencies } from './lifecycle.js';
import { containerId, type Progress } from './progress.js';
import type { Project } from './project.js';

/** `cancelled`: once it says so (Ctrl-C during an attached up), no further container is started. */
export async function startServices(client: BerthClient, project: Project, byService: Map<string, Converged[]>, progress: Progress, cancelled?: () => boolean): Promise<void> {
  await inDependencyOrder(project.model.services, [...byService.keys()], (service) => startService(client, project, service, byService, progress, cancelled));
}

/** One service's stopped containers started, once what it depends on (already started, in `byService`) is healthy or completed if it must be. */
export async function startService(
  client: BerthClient, project: Project, service: string, byService: Map<string, Converged[]>, progress: Progress, cancelled?: () => boolean,
): Promise<void> {
  if (cancelled?.()) return;
  await waitForDependencies(client, project, service, byService, progress);
  await allSettled((byService.get(service) ?? []).filter((c) => !c.running), async (c) => {
    if (cancelled?.()) return;
    await progress.step(containerId(c.name), 'Starting', 'Started', () => client.startContainer(c.id));
    c.running = true;
  });
}

/**
 * `up --wait`: a service others depend on with service_completed_successfully
 * must exit 0; every other container must be running or healthy. The first
 * failure names the container and why; `timeout` (seconds) bounds the whole wait.
 */
export async function waitRunningOrHealthy(client: BerthClient, project: Project, byService: Map<string, Converged[]>, progress: Progress, timeout?: number): Promise<void> {
  const oneShot = new Set(Object.values(project.model.services).flatMap((s) =>
    Object.entries((s.depends_on ?? {}) as Record<string, { condition?: string }>).filter(([, d]) => d.condition === 'service_completed_successfully').map(([name]) => name)));
  let timedOut = false;
  const all = [...byService.entries()].flatMap(([service, list]) => list.map((c) => ({ c, service })));
  const waiting = allSettled(all, ({ c, service }) => waitFor(client, c, oneShot.has(service) ? 'service_completed_successfully' : 'running_or_healthy', progress, () => timedOut));
  if (!timeout || timeout <= 0) return waiting;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(invalid(`application not healthy after ${goDuration(timeout)}`));
    }, timeout * 1000);
  });
  try {
    await Promise.race([waiting, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Seconds as Go prints a time.Duration (`1m30s`, `10s`), as compose's message shows it. */
function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
