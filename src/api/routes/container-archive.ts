import { pipeline } from 'node:stream/promises';
import { invalid } from '../../lib/errors.js';
import type { ArchiveStat, ContainerService } from '../../engine/containers/types.js';
import type { Router } from '../router.js';
import { boolParam, type ApiRequest } from '../request.js';
import { sendEmpty } from '../respond.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function pathParam(req: ApiRequest): string {
  const path = req.query.get('path');
  // moby's words, its missing space included.
  if (!path) throw invalid('bad parameter: pathcannot be empty');
  return path;
}

function statHeader(stat: ArchiveStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

/** The archive API behind docker cp: HEAD (stat), GET (tar of a path), PUT (extract a tar into a directory). */
export function archiveRoutes(router: Router, containers: ContainerService): void {
  router.add('HEAD', '/containers/{id}/archive', async (req, res) => {
    const stat = await containers.archiveStat(req.params.id!, pathParam(req));
    res.writeHead(200, { [STAT_HEADER]: statHeader(stat) }).end();
  });

  router.add('GET', '/containers/{id}/archive', async (req, res) => {
    if (req.method === 'HEAD') {
      const stat = await containers.archiveStat(req.params.id!, pathParam(req));
      return void res.writeHead(200, { [STAT_HEADER]: statHeader(stat) }).end();
    }
    const { stat, tar } = await containers.archiveGet(req.params.id!, pathParam(req));
    res.writeHead(200, { 'Content-Type': 'application/x-tar', [STAT_HEADER]: statHeader(stat) });
    await pipeline(tar, res);
  });

  router.add('PUT', '/containers/{id}/archive', async (req, res) => {
    await containers.archivePut(req.params.id!, pathParam(req), req.raw, {
      noOverwriteDirNonDir: boolParam(req.query, 'noOverwriteDirNonDir'),
      copyUIDGID: boolParam(req.query, 'copyUIDGID'),
    });
    sendEmpty(res, 200);
  });
}
