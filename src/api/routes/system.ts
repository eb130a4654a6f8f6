import type { ApiBackends } from '../backends.js';
import type { Router } from '../router.js';
import { sendJson } from '../respond.js';
import { filtersParam, versionLess } from '../request.js';
import { imageSummary } from './image-json.js';
import { containerSummary } from './container-json.js';
import type { ContainerService } from '../../engine/containers/types.js';
import type { NetworkService } from '../../engine/network/types.js';
import { networkFacts, type NetworkLookups } from './containers.js';

export function systemRoutes(router: Router, { system, images, volumes, containers, networks }: Pick<ApiBackends, 'system' | 'images' | 'volumes' | 'containers' | 'networks'>): void {
  const ping = async (req: { method: string }, res: import('node:http').ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      ...system.pingHeaders(),
    });
    res.end(req.method === 'HEAD' ? undefined : 'OK');
  };
  router.add('GET', '/_ping', ping);
  router.add('HEAD', '/_ping', ping);

  router.add('GET', '/version', async (_req, res) => sendJson(res, 200, await system.version()));
  router.add('GET', '/info', async (_req, res) => sendJson(res, 200, await system.info()));

  // The classic builder's cache is made of images (image prune removes it); there is no separate
  // build cache, so a build-cache prune (docker system prune calls one) has nothing to remove.
  router.add('POST', '/build/prune', async (req, res) => {
    filtersParam(req.query);
    sendJson(res, 200, { CachesDeleted: null, SpaceReclaimed: 0 });
  });

  router.add('GET', '/system/df', async (req, res) => {
    const all = await images.all();
    // As Docker: an image's shared size is the sum of its layers that other images hold too.
    const holders = new Map<string, number>();
    for (const image of all) for (const layer of image.layers) holders.set(layer.chainId, (holders.get(layer.chainId) ?? 0) + 1);
    const summaries = await Promise.all(all.map(async (image) => {
      const shared = image.layers.filter((l) => (holders.get(l.chainId) ?? 0) > 1).reduce((sum, l) => sum + l.size, 0);
      const containers = (await images.containersUsing(image.id)).length;
      return imageSummary(image, req.version, { containers, sharedSize: shared });
    }));
    sendJson(res, 200, {
      LayersSize: await images.layersSize(),
      Images: summaries,
      Containers: await containerUsage(containers, networks, req.version),
      Volumes: await volumes.usage(),
      // No build cache apart from images (see /build/prune): Go's nil list, as dockerd 20.10 without one.
      BuildCache: null,
      // Deprecated, but dockerd 20.10 (API 1.41) still sends it; later dockerds only before 1.42.
      ...(versionLess(req.version, '1.42') ? { BuilderSize: 0 } : {}),
    });
  });
}


/** system df's Containers: every container as `ps -a --size` lists it (dockerd's df is that list). */
async function containerUsage(containers: ContainerService, networks: NetworkService, version: string): Promise<Record<string, unknown>[]> {
  const all = await containers.list({ all: true, filters: new Map() });
  const lookups: NetworkLookups = new Map();
  return Promise.all(all.map(async (c) => containerSummary(c, await networkFacts(networks, c.id, version, lookups), await containers.sizes(c.id))));
}
