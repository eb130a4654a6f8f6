/**
 * Images, networks and volumes of every host, read-only: each list asks all
 * hosts at once and names the hosts that did not answer.
 */
import type { BerthClient } from '../../client/index.js';
import type { AcrossHosts, ImageRow, NetworkRow, VolumeRow } from '../shared/types.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { sendJson, type Router } from './http.js';

type Lister<T> = (client: BerthClient, host: string) => Promise<T[]>;

const images: Lister<ImageRow> = async (client, host) =>
  (await client.listImages()).map((i) => ({
    host, id: i.Id, tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), size: i.Size, created: i.Created, containers: i.Containers,
  }));

const networks: Lister<NetworkRow> = async (client, host) =>
  (await client.listNetworks()).map((n) => ({
    host, id: n.Id, name: n.Name, driver: n.Driver, scope: n.Scope, internal: n.Internal, created: n.Created,
    subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').filter(Boolean),
  }));

const volumes: Lister<VolumeRow> = async (client, host) =>
  (await client.listVolumes()).map((v) => ({ host, name: v.Name, driver: v.Driver, mountpoint: v.Mountpoint, created: v.CreatedAt ?? '' }));

export async function acrossHosts<T>(hosts: HostManager, list: Lister<T>): Promise<AcrossHosts<T>> {
  const out: AcrossHosts<T> = { rows: [], errors: {} };
  await Promise.all(hosts.summaries().map(async ({ name }) => {
    try {
      out.rows.push(...(await list(hosts.get(name).engine(), name)));
    } catch (err) {
      out.errors[name] = err instanceof Error ? err.message : String(err);
    }
  }));
  return out;
}

export function resourceRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  for (const [path, list] of [['/api/images', images], ['/api/networks', networks], ['/api/volumes', volumes]] as const) {
    r.on('GET', path, async ({ req, res }) => {
      guard.require(req, 'viewer');
      sendJson(res, 200, await acrossHosts(hosts, list as Lister<unknown>));
    });
  }
}
