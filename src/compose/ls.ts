/**
 * `compose ls`: the projects the engine has containers of, found by their
 * labels alone (no compose file needed), with compose v2's combined status
 * ("running(2), exited(1)") and the config files the containers name.
 */
import type { BerthClient, ContainerSummary } from '../client/index.js';
import { LABEL } from './labels.js';

export interface Stack {
  Name: string;
  Status: string;
  ConfigFiles: string;
}

export async function listProjects(client: BerthClient, all: boolean): Promise<Stack[]> {
  const containers = await client.listContainers({ all, filters: { label: [LABEL.project] } });
  const byProject = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const name = c.Labels?.[LABEL.project] ?? '';
    byProject.set(name, [...(byProject.get(name) ?? []), c]);
  }
  return [...byProject.keys()].sort().map((name) => {
    const mine = byProject.get(name)!;
    const files = [...new Set(mine.flatMap((c) => (c.Labels?.[LABEL.configFiles] ?? '').split(',').filter(Boolean)))];
    return { Name: name, Status: combinedStatus(mine.map((c) => c.State)), ConfigFiles: files.join(',') };
  });
}

/** "exited(1), running(2)": each state with its count, states sorted. */
export function combinedStatus(states: string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.keys()].sort().map((s) => `${s}(${counts.get(s)})`).join(', ');
}
