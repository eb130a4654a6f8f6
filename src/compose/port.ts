/** `compose port`: where a service container's private port is published (pkg/compose/port.go). */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { invalid, notFound } from '../lib/errors.js';
import { checkServices } from './graph.js';
import { nameOf, numberOf, projectContainers, serviceOf } from './containers.js';
import type { Project } from './project.js';

/**
 * The service's container number `index`, or with index 0 its lowest-numbered
 * one; only running containers unless `all` (compose's getSpecifiedContainer).
 */
export async function serviceContainer(client: BerthClient, project: Project, service: string, index: number, all = false): Promise<ContainerSummary> {
  checkServices(project.model.services, [service]);
  const mine = (await projectContainers(client, project.name, all)).filter((c) => serviceOf(c) === service).sort((a, b) => numberOf(a) - numberOf(b));
  if (index > 0) {
    const found = mine.find((c) => numberOf(c) === index);
    if (!found) throw notFound(`service "${service}" is not running container #${index}`);
    return found;
  }
  if (mine.length === 0) throw notFound(`service "${service}" is not running`);
  return mine[0];
}

/** `ip:port` as compose prints it. */
export async function port(client: BerthClient, project: Project, service: string, privatePort: number, options: { protocol: string; index: number }): Promise<string> {
  if (!Number.isInteger(privatePort) || privatePort < 0 || privatePort > 65535) throw invalid(`invalid port ${privatePort}`);
  const c = await serviceContainer(client, project, service, options.index);
  const found = (c.Ports ?? []).find((p) => p.PrivatePort === privatePort && p.Type === options.protocol);
  if (!found) throw notFound(`no port ${privatePort}/${options.protocol} for container ${nameOf(c)}`);
  return `${found.IP ?? ''}:${found.PublicPort ?? 0}`;
}
