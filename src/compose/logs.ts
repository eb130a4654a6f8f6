/**
 * `compose logs`: the logs of the project's containers (of the named
 * services, or all), each behind its prefix, read in parallel; with
 * `follow`, until every container has stopped. What compose v2's logs.go does.
 */
import type { BerthClient, LogsOptions } from '../client/index.js';
import { displayName } from './attach.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { forEachLine } from './follow.js';
import type { LogPrinter } from './log-printer.js';
import type { Project } from './project.js';

export async function showLogs(client: BerthClient, project: Project, printer: LogPrinter, services: string[], options: LogsOptions): Promise<void> {
  const containers = (await projectContainers(client, project.name))
    .filter((c) => (services.length ? services.includes(serviceOf(c)) : project.model.services[serviceOf(c)]))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  for (const c of containers) printer.register(displayName(project, nameOf(c)));
  await Promise.all(containers.map(async (c) => {
    const display = displayName(project, nameOf(c));
    const body = await client.containerLogs(c.Id, options);
    await forEachLine(body, Boolean(project.model.services[serviceOf(c)]?.tty), (line) => printer.line(display, line));
  }));
}
