/** `compose images`: the image each of the project's containers runs, as compose v2 lists them. */
import type { BerthClient } from '../client/index.js';
import { checkServices } from './graph.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import type { Project } from './project.js';

export interface ContainerImage {
  ID: string;
  ContainerName: string;
  Repository: string;
  Tag: string;
  Size: number;
}

export async function containerImages(client: BerthClient, project: Project, named: string[]): Promise<ContainerImage[]> {
  checkServices(project.model.services, named);
  const containers = (await projectContainers(client, project.name)).filter((c) => named.length === 0 || named.includes(serviceOf(c)));
  const inspected = new Map<string, Promise<{ RepoTags?: string[] | null; Size?: number }>>();
  const rows = await Promise.all(containers.map(async (c) => {
    if (!inspected.has(c.ImageID)) inspected.set(c.ImageID, client.inspectImage(c.ImageID).then((r) => r.value));
    const image = await inspected.get(c.ImageID)!;
    const tags = image.RepoTags ?? [];
    // The tag the container was created from when the image still has it, else its first.
    const repoTag = tags.find((t) => t === c.Image || t === `${c.Image}:latest`) ?? tags[0] ?? '';
    const colon = repoTag.lastIndexOf(':');
    return {
      ID: c.ImageID, ContainerName: nameOf(c),
      Repository: colon > 0 ? repoTag.slice(0, colon) : repoTag, Tag: colon > 0 ? repoTag.slice(colon + 1) : '', Size: image.Size ?? 0,
    };
  }));
  return rows.sort((a, b) => a.ContainerName.localeCompare(b.ContainerName));
}
