/**
 * start, stop, restart, kill, pause and unpause of a project's service
 * containers, as compose v2 does them (pkg/compose/{start,stop,restart,
 * kill,pause}.go): services walked in dependency order (stop in reverse),
 * the containers of one service acted on in parallel, one progress event
 * before and one after each engine call.
 */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { desiredScale, nameOf, numberOf, projectContainers, serviceOf } from './containers.js';
import { checkServices, inDependencyOrder, namedOrAll, withDependencies, withRestartDependents } from './graph.js';
import { invalid } from '../lib/errors.js';
import { waitForDependencies } from './lifecycle.js';
import { containerId, type Progress } from './progress.js';
import type { Project } from './project.js';

const ACTIVE = new Set(['running', 'paused', 'restarting']);
const byNumber = (a: ContainerSummary, b: ContainerSummary): number => numberOf(a) - numberOf(b);

function ofService(containers: ContainerSummary[], service: string): ContainerSummary[] {
  return containers.filter((c) => serviceOf(c) === service).sort(byNumber);
}

/** One engine call on each container, in parallel, between compose's two events. */
async function eachContainer(
  containers: ContainerSummary[], progress: Progress, doing: string, done: string, call: (c: ContainerSummary) => Promise<void>,
): Promise<void> {
  const results = await Promise.allSettled(containers.map((c) => progress.step(containerId(nameOf(c)), doing, done, () => call(c))));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** `compose start`: stopped containers of the named services (and what they depend on) started, dependencies first and ready. */
export async function start(client: BerthClient, project: Project, progress: Progress, named: string[]): Promise<void> {
  const { services } = project.model;
  const containers = await projectContainers(client, project.name);
  const started = new Map(Object.keys(services).map((s) => [s, ofService(containers, s).map((c) => ({ id: c.Id, name: nameOf(c) }))]));
  await inDependencyOrder(services, withDependencies(services, named), async (service) => {
    await waitForDependencies(client, project, service, started, progress);
    const mine = ofService(containers, service);
    if (mine.length === 0) {
      if (desiredScale(services[service]) === 0) return;
      throw invalid(`service "${service}" has no container to start`);
    }
    // One after the other within a service, as compose v2 starts them.
    for (const c of mine.filter((c) => c.State !== 'running')) {
      await progress.step(containerId(nameOf(c)), 'Starting', 'Started', () => client.startContainer(c.Id));
    }
  });
}

/** `compose stop`: running containers of the named services (all when none), dependents first. */
export async function stop(client: BerthClient, project: Project, progress: Progress, named: string[], timeout?: number): Promise<void> {
  const { services } = project.model;
  const selected = namedOrAll(services, named);
  const containers = (await projectContainers(client, project.name)).filter((c) => ACTIVE.has(c.State));
  await inDependencyOrder(services, selected, (service) =>
    eachContainer(ofService(containers, service), progress, 'Stopping', 'Stopped', (c) => client.stopContainer(c.Id, { timeout })), true);
}

/**
 * `compose restart`: every container of the named services (started again
 * if it was stopped), dependencies first; without --no-deps also the
 * services that depend on them with `restart: true`.
 */
export async function restart(
  client: BerthClient, project: Project, progress: Progress, named: string[], options: { timeout?: number; noDeps?: boolean },
): Promise<void> {
  const { services } = project.model;
  const selected = options.noDeps ? namedOrAll(services, named) : withRestartDependents(services, named);
  const containers = await projectContainers(client, project.name);
  await inDependencyOrder(services, selected, (service) =>
    eachContainer(ofService(containers, service), progress, 'Restarting', 'Started', (c) => client.restartContainer(c.Id, { timeout: options.timeout })));
}

/** `compose kill`: a signal to the running containers of the named services (and orphans with --remove-orphans), all at once. */
export async function kill(
  client: BerthClient, project: Project, progress: Progress, named: string[], options: { signal: string; removeOrphans?: boolean; warn: (m: string) => void },
): Promise<void> {
  const { services } = project.model;
  checkServices(services, named);
  const running = (await projectContainers(client, project.name, false)).filter((c) => {
    const service = serviceOf(c);
    if (named.length) return named.includes(service);
    return Boolean(services[service]) || Boolean(options.removeOrphans);
  });
  if (running.length === 0) options.warn('no container to kill');
  await eachContainer(running.sort((a, b) => nameOf(a).localeCompare(nameOf(b))), progress, 'Killing', 'Killed', (c) => client.killContainer(c.Id, options.signal));
}

/** `compose pause` / `unpause`: the named services' running (or paused) containers, all at once. */
export async function pause(client: BerthClient, project: Project, progress: Progress, named: string[], resume: boolean): Promise<void> {
  const { services } = project.model;
  checkServices(services, named);
  const wanted = resume ? 'paused' : 'running';
  const containers = (await projectContainers(client, project.name, false))
    .filter((c) => c.State === wanted && (named.length ? named.includes(serviceOf(c)) : Boolean(services[serviceOf(c)])))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  if (resume) await eachContainer(containers, progress, 'Unpausing', 'Unpaused', (c) => client.unpauseContainer(c.Id));
  else await eachContainer(containers, progress, 'Pausing', 'Paused', (c) => client.pauseContainer(c.Id));
}

/** The stopped containers `compose rm` would remove (after -s stopped the running ones). */
export async function removable(client: BerthClient, project: Project, named: string[]): Promise<ContainerSummary[]> {
  const { services } = project.model;
  const selected = namedOrAll(services, named);
  return (await projectContainers(client, project.name))
    .filter((c) => selected.includes(serviceOf(c)) && !ACTIVE.has(c.State))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}

/** `compose rm`: the given (stopped) containers removed in parallel; `volumes` takes their anonymous volumes too. */
export async function remove(client: BerthClient, containers: ContainerSummary[], progress: Progress, volumes: boolean): Promise<void> {
  await eachContainer(containers, progress, 'Removing', 'Removed', (c) => client.removeContainer(c.Id, { force: true, volumes }));
}
