/** `compose exec`: which container of a service a command runs in. */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { invalid, notFound } from '../lib/errors.js';
import { nameOf, numberOf, projectContainers, serviceOf } from './containers.js';
import type { Project } from './project.js';

/** The running container number `index` (1 unless given) of the service. */
export async function serviceContainer(client: BerthClient, project: Project, service: string, index = 1): Promise<string> {
  if (!project.model.services[service]) throw notFound(`no such service: ${service}`);
  const running: ContainerSummary[] = (await projectContainers(client, project.name, false)).filter((c) => serviceOf(c) === service);
  if (running.length === 0) throw invalid(`service "${service}" is not running`);
  const found = running.find((c) => numberOf(c) === index);
  if (!found) throw invalid(`service "${service}" is not running container #${index}`);
  return nameOf(found);
}
