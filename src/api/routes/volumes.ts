import type { VolumeService } from '../../engine/volumes/types.js';
import type { Router } from '../router.js';
import { boolParam, decodeBody, filtersParam, versionLess } from '../request.js';
import { VolumeCreateBody } from './body-types.js';
import { sendEmpty, sendJson } from '../respond.js';

/** The body of POST /volumes/create (Docker's volume.CreateOptions). */
interface CreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function volumeRoutes(router: Router, { volumes }: { volumes: VolumeService }): void {
  router.add('GET', '/volumes', async (req, res) => {
    const { Volumes, Warnings } = await volumes.list(filtersParam(req.query, 'error reading volume filters: '));
    // Docker sends null, not [], when there is nothing to warn about.
    sendJson(res, 200, { Volumes, Warnings: Warnings.length > 0 ? Warnings : null });
  });

  router.add('POST', '/volumes/create', async (req, res) => {
    const body = (await decodeBody<CreateBody>(req, VolumeCreateBody))!;
    const volume = await volumes.create({
      name: body.Name || undefined,
      driver: body.Driver || undefined,
      options: body.DriverOpts ?? undefined,
      labels: body.Labels ?? undefined,
    });
    sendJson(res, 201, volume);
  });

  router.add('POST', '/volumes/prune', async (req, res) => {
    const filters = filtersParam(req.query);
    // Before API 1.42 prune removed every unused volume; since, only anonymous ones unless all=true.
    if (versionLess(req.version, '1.42') && !filters.has('all')) filters.set('all', ['true']);
    const report = await volumes.prune(filters);
    sendJson(res, 200, { VolumesDeleted: report.VolumesDeleted, SpaceReclaimed: report.SpaceReclaimed }); // [] when none, as dockerd
  });

  router.add('GET', '/volumes/{name}', async (req, res) => {
    sendJson(res, 200, await volumes.inspect(req.params.name!));
  });

  router.add('DELETE', '/volumes/{name}', async (req, res) => {
    await volumes.remove(req.params.name!, { force: boolParam(req.query, 'force') });
    sendEmpty(res, 204);
  });
}
