/**
 * `compose logs`: the logs of the project's containers (of the named
 * services, or all), each behind its prefix, read in parallel; with
 * `follow`, also of the containers that start later, until none of them runs
 * (log-follower.ts). What compose v2's logs.go does.
 */
import type { BerthClient, LogsOptions } from '../client/index.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { apiTime, LogFollower } from './log-follower.js';
import type { LogPrinter } from './log-printer.js';
import type { Project } from './project.js';

export async function showLogs(client: BerthClient, project: Project, printer: LogPrinter, services: string[], options: LogsOptions): Promise<void> {
  // With no service named, those of the loaded file (compose v2: containers of other files' services are not shown).
  const shown = services.length ? services : Object.keys(project.model.services);
  // Taken before the list: events from here on are read again, so a container starting meanwhile is not missed.
  const listedAt = apiTime(BigInt(Date.now()) * 1_000_000n);
  const containers = (await projectContainers(client, project.name))
    .filter((c) => shown.includes(serviceOf(c)))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const follower = new LogFollower(client, project, printer, options);
  for (const c of containers) follower.add(c.Id, nameOf(c), serviceOf(c), c.State === 'running', listedAt);
  if (options.follow) await follower.watch(shown, listedAt);
  else await follower.done();
}
