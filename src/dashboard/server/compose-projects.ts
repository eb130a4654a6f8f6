/**
 * Compose projects as the dashboard shows them: every host's containers
 * grouped by their com.docker.compose.project label, with what `berth
 * compose` needs to act on one (its config files, for `up`).
 */
import { access, constants } from 'node:fs/promises';
import type { ContainerRow } from '../shared/types.js';
import type { ComposeProject } from '../shared/extra-types.js';

export const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
const WORKING_DIR_LABEL = 'com.docker.compose.project.working_dir';
const CONFIG_FILES_LABEL = 'com.docker.compose.project.config_files';

/** Compose's own rule for project names; anything else is refused before it reaches a command line. */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export function isProjectName(name: string): boolean {
  return PROJECT_NAME.test(name);
}

/** Projects (without readability) from the containers of all hosts, sorted by host then name. */
export function groupProjects(rows: readonly ContainerRow[]): Omit<ComposeProject, 'configReadable' | 'configProblem'>[] {
  const groups = new Map<string, ContainerRow[]>();
  for (const row of rows) {
    const name = row.labels[PROJECT_LABEL];
    if (!name) continue;
    const key = `${row.host}\n${name}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((members) => {
    const first = members[0]!;
    // The newest container's labels say where the project was last brought up from.
    const newest = members.reduce((a, b) => (b.created > a.created ? b : a));
    return {
      host: first.host,
      name: first.labels[PROJECT_LABEL]!,
      services: [...new Set(members.map((m) => m.labels[SERVICE_LABEL] ?? '').filter(Boolean))].sort(),
      running: members.filter((m) => m.state === 'running').length,
      total: members.length,
      workingDir: newest.labels[WORKING_DIR_LABEL] ?? '',
      configFiles: (newest.labels[CONFIG_FILES_LABEL] ?? '').split(',').filter(Boolean),
    };
  }).sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name));
}

/** Why `up` cannot run for these config files here, or undefined when every one is readable. */
export async function configProblem(files: readonly string[]): Promise<string | undefined> {
  if (files.length === 0) return 'the containers carry no com.docker.compose.project.config_files label';
  for (const file of files) {
    if (!file.startsWith('/')) return `config file ${file} is not an absolute path`;
    try {
      await access(file, constants.R_OK);
    } catch {
      return `config file ${file} is not readable where the dashboard runs`;
    }
  }
  return undefined;
}

export async function composeProjects(rows: readonly ContainerRow[]): Promise<ComposeProject[]> {
  return Promise.all(groupProjects(rows).map(async (p) => {
    const problem = await configProblem(p.configFiles);
    return { ...p, configReadable: problem === undefined, ...(problem ? { configProblem: problem } : {}) };
  }));
}
