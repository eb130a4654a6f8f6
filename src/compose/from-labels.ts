/**
 * A project rebuilt from its containers' labels, for commands run with
 * `-p NAME` and no compose file (compose v2's projectOrName): each service
 * label becomes a service, and com.docker.compose.depends_on
 * ("db:service_started:false,…") gives back its dependencies, so start,
 * stop and restart keep their order.
 */
import type { BerthClient } from '../client/index.js';
import { projectContainers, serviceOf } from './containers.js';
import { LABEL } from './labels.js';
import type { Project } from './project.js';

export async function projectFromLabels(client: BerthClient, name: string): Promise<Project> {
  const services: Record<string, Record<string, unknown>> = {};
  let workingDir = '';
  let configFiles: string[] = [];
  for (const c of await projectContainers(client, name)) {
    const labels = c.Labels ?? {};
    workingDir ||= labels[LABEL.workingDir] ?? '';
    if (configFiles.length === 0) configFiles = (labels[LABEL.configFiles] ?? '').split(',').filter(Boolean);
    services[serviceOf(c)] ??= { depends_on: dependsOn(labels[LABEL.dependsOn] ?? '') };
  }
  // A dependency with no container left is not part of the rebuilt project.
  for (const service of Object.values(services)) {
    const deps = service.depends_on as Record<string, unknown>;
    for (const dep of Object.keys(deps)) if (!services[dep]) delete deps[dep];
  }
  return {
    name, workingDir, configFiles, environment: {}, profiles: [],
    model: { name, services, networks: {}, volumes: {}, secrets: {}, configs: {} },
  };
}

function dependsOn(label: string): Record<string, { condition: string; restart: boolean }> {
  const out: Record<string, { condition: string; restart: boolean }> = {};
  for (const entry of label.split(',').filter(Boolean)) {
    const [service, condition = 'service_started', restart = 'false'] = entry.split(':');
    out[service] = { condition, restart: restart === 'true' };
  }
  return out;
}
