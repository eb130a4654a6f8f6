/** `compose top`: the processes of each running service container, by container name. */
import type { BerthClient } from '../client/index.js';
import { checkServices } from './graph.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import type { Project } from './project.js';

export interface ContainerProcesses {
  name: string;
  titles: string[];
  processes: string[][];
}

export async function top(client: BerthClient, project: Project, named: string[]): Promise<ContainerProcesses[]> {
  checkServices(project.model.services, named);
  const running = (await projectContainers(client, project.name, false))
    .filter((c) => named.length === 0 || named.includes(serviceOf(c)))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  return Promise.all(running.map(async (c) => {
    const { Titles, Processes } = await client.topContainer(c.Id);
    return { name: nameOf(c), titles: Titles ?? [], processes: Processes ?? [] };
  }));
}
