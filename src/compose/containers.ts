/** The project's containers as the engine reports them, grouped by the labels compose wrote. */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { LABEL, projectFilter } from './labels.js';

export async function projectContainers(client: BerthClient, project: string, all = true): Promise<ContainerSummary[]> {
  const list = await client.listContainers({ all, filters: projectFilter(project) });
  // One-off containers (`run`) are not the service's replicas.
  return list.filter((c) => c.Labels?.[LABEL.oneoff] !== 'True');
}

export function serviceOf(c: ContainerSummary): string {
  return c.Labels?.[LABEL.service] ?? '';
}

export function numberOf(c: ContainerSummary): number {
  return Number(c.Labels?.[LABEL.number] ?? 0);
}

export function nameOf(c: ContainerSummary): string {
  return (c.Names?.[0] ?? c.Id).replace(/^\//, '');
}

/** What compose calls the service's scale: `scale`, else `deploy.replicas`, else 1. */
export function desiredScale(service: Record<string, unknown>): number {
  if (typeof service.scale === 'number') return service.scale;
  const replicas = (service.deploy as { replicas?: number } | undefined)?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}
