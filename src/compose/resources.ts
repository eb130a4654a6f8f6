/**
 * The project's networks and named volumes: created by `up` when missing
 * (with compose's labels), removed by `down`. External ones must exist
 * and are never created or removed.
 */
import type { BerthClient, NetworkResource } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import { COMPOSE_VERSION } from './container-spec.js';
import { allSettled } from './graph.js';
import { LABEL } from './labels.js';
import { networkId, type Progress } from './progress.js';
import type { Project } from './project.js';

type Dict = Record<string, unknown>;
type Warn = (message: string) => void;

const isExternal = (def: Dict): boolean => def.external === true || (typeof def.external === 'object' && def.external !== null);

/** The network named exactly `name` (the engine's name filter matches substrings). */
export async function findNetwork(client: BerthClient, name: string): Promise<NetworkResource | undefined> {
  return (await client.listNetworks({ name: [name] })).find((n) => n.Name === name);
}

/** Creates the missing networks, in parallel, after one list of those with the project's names. */
export async function ensureNetworks(client: BerthClient, project: Project, progress: Progress, warn: Warn): Promise<void> {
  const networks = Object.entries(project.model.networks);
  if (networks.length === 0) return;
  // The name filter matches substrings: the exact name is picked below.
  const existing = await client.listNetworks({ name: networks.map(([, def]) => String(def.name)) });
  await allSettled(networks, async ([key, def]) => {
    const name = String(def.name);
    const found = existing.find((n) => n.Name === name);
    if (found && !isExternal(def) && found.Labels?.[LABEL.project] !== project.name) {
      warn(`a network with name ${name} exists but was not created for project "${project.name}".\nSet \`external: true\` to use an existing network`);
    }
    if (found) return;
    if (isExternal(def)) throw invalid(`network ${name} declared as external, but could not be found`);
    await progress.step(networkId(name), 'Creating', 'Created', () => client.createNetwork(networkRequest(project, key, def)));
  });
}

function networkRequest(project: Project, key: string, def: Dict) {
  const ipam = def.ipam as { driver?: string; config?: Array<Dict> } | undefined;
  return {
    Name: String(def.name),
    Driver: (def.driver as string | undefined) ?? 'bridge',
    Internal: Boolean(def.internal),
    Attachable: Boolean(def.attachable),
    EnableIPv6: Boolean(def.enable_ipv6),
    Options: (def.driver_opts as Record<string, string> | undefined) ?? {},
    IPAM: ipam ? { Driver: ipam.driver, Config: (ipam.config ?? []).map((c) => ({ Subnet: c.subnet as string, Gateway: c.gateway as string, IPRange: c.ip_range as string })) } : undefined,
    Labels: { ...((def.labels ?? {}) as Record<string, string>), [LABEL.network]: key, [LABEL.project]: project.name, [LABEL.version]: COMPOSE_VERSION },
  };
}

/** Creates the missing named volumes, in parallel. */
export async function ensureVolumes(client: BerthClient, project: Project, progress: Progress, warn: Warn): Promise<void> {
  const volumes = Object.entries(project.model.volumes);
  if (volumes.length === 0) return;
  const existing = new Map((await client.listVolumes()).map((v) => [v.Name, v]));
  await allSettled(volumes, async ([key, def]) => {
    const name = String(def.name);
    const found = existing.get(name);
    if (found && !isExternal(def) && found.Labels?.[LABEL.project] !== project.name) {
      warn(`volume "${name}" already exists but was not created by Docker Compose. Use \`external: true\` to use an existing volume`);
    }
    if (found) return;
    if (isExternal(def)) throw invalid(`external volume "${name}" not found`);
    const labels = { ...((def.labels ?? {}) as Record<string, string>), [LABEL.volume]: key, [LABEL.project]: project.name, [LABEL.version]: COMPOSE_VERSION };
    const request = { Name: name, Driver: (def.driver as string | undefined) ?? 'local', DriverOpts: (def.driver_opts as Record<string, string> | undefined) ?? {}, Labels: labels };
    await progress.step(`Volume ${JSON.stringify(name)}`, 'Creating', 'Created', () => client.createVolume(request));
  });
}

/** `down`: the project's own networks (found by name and project label); returns whether any was removed. */
export async function removeNetworks(client: BerthClient, project: Project, progress: Progress): Promise<boolean> {
  let removed = false;
  for (const def of Object.values(project.model.networks)) {
    if (isExternal(def)) continue;
    const network = await findNetwork(client, String(def.name));
    if (!network || network.Labels?.[LABEL.project] !== project.name) continue;
    await progress.step(networkId(network.Name), 'Removing', 'Removed', () => client.removeNetwork(network.Id));
    removed = true;
  }
  return removed;
}

/** `down -v`: the project's named volumes that exist; returns whether any was removed. */
export async function removeVolumes(client: BerthClient, project: Project, progress: Progress): Promise<boolean> {
  const existing = new Map((await client.listVolumes({ label: [`${LABEL.project}=${project.name}`] })).map((v) => [v.Name, v]));
  let removed = false;
  for (const def of Object.values(project.model.volumes)) {
    const name = String(def.name);
    if (isExternal(def) || !existing.has(name)) continue;
    await progress.step(`Volume ${name}`, 'Removing', 'Removed', () => client.removeVolume(name));
    removed = true;
  }
  return removed;
}
