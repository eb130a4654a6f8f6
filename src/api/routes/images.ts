import { fetchAnyPort } from '../../lib/fetch-any-port.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalid, isEngineError, notFound, unavailable } from '../../lib/errors.js';
import type { ApiBackends } from '../backends.js';
import type { Router } from '../router.js';
import { boolParam, filtersParam, type ApiRequest } from '../request.js';
import { JsonMessageStream, LazyJsonStream, sendJson } from '../respond.js';
import { imageInspect, imageSummary } from './image-json.js';
import { pullRoute } from './distribution.js';

export function imageRoutes(router: Router, { images, distribution }: Pick<ApiBackends, 'images' | 'distribution'>): void {
  router.add('GET', '/images/json', async (req, res) => {
    const list = await images.list({ all: boolParam(req.query, 'all'), filters: filtersParam(req.query) });
    sendJson(res, 200, list.map((image) => imageSummary(image, req.version)));
  });

  router.add('GET', '/images/get', async (req, res) => {
    const names = req.query.getAll('names');
    if (names.length === 0) throw invalid('no image names given');
    await sendTar(res, await images.save(names));
  });

  router.add('POST', '/images/load', async (req, res) => {
    // dockerd reads an absent quiet as true: a client that says nothing (dockerode) gets no per-layer progress.
    const quiet = boolParam(req.query, 'quiet', true);
    const stream = new JsonMessageStream(res);
    try {
      await images.load(req.raw, (message) => stream.send(message), quiet);
    } catch (err) {
      stream.fail(err);
    }
    stream.end();
  });

  router.add('POST', '/images/create', async (req, res) => {
    const fromSrc = req.query.get('fromSrc');
    if (req.query.get('fromImage')) return pullRoute(req, res, distribution);
    if (fromSrc === null || fromSrc === '') throw invalid('either fromSrc or fromImage must be given');
    const source = fromSrc === '-' ? req.raw : await download(fromSrc);
    const options = {
      sourceName: fromSrc,
      repo: req.query.get('repo') || undefined,
      tag: req.query.get('tag') || undefined,
      message: req.query.get('message') || undefined,
      changes: req.query.getAll('changes'),
      platform: req.query.get('platform') || undefined,
    };
    // As dockerd: nothing is written before the image is made, so a bad change, reference or tarball is an HTTP error.
    const stream = new LazyJsonStream(res);
    await stream.run(async () => stream.send({ status: await images.importTar(source, options) }));
  });

  router.add('POST', '/images/prune', async (req, res) => {
    sendJson(res, 200, await images.prune(filtersParam(req.query)));
  });

  router.add('GET', '/images/{name}/json', async (req, res) => {
    // dockerd 20.10's LookupImage wraps the lookup's error with the name as given (clients other than the CLI show it).
    const image = await images.resolve(req.params.name!).catch((err: unknown) => {
      throw isEngineError(err, 'notFound') ? notFound(`no such image: ${req.params.name!}: ${err.message}`) : err;
    });
    sendJson(res, 200, await imageInspect(images, image, req.version));
  });

  router.add('GET', '/images/{name}/history', async (req, res) => {
    sendJson(res, 200, await images.history(req.params.name!));
  });

  router.add('GET', '/images/{name}/get', async (req, res) => {
    await sendTar(res, await images.save([req.params.name!]));
  });

  router.add('POST', '/images/{name}/tag', async (req, res) => {
    // An empty repo is parsed as dockerd parses it (docker.io/library/: "invalid reference format"), after the image lookup.
    await images.tag(req.params.name!, req.query.get('repo') ?? '', req.query.get('tag') || undefined);
    res.writeHead(201).end();
  });

  router.add('DELETE', '/images/{name}', async (req: ApiRequest, res) => {
    const force = boolParam(req.query, 'force');
    const noPrune = boolParam(req.query, 'noprune');
    sendJson(res, 200, await images.remove(req.params.name!, { force, noPrune }));
  });
}

async function sendTar(res: import('node:http').ServerResponse, tar: Readable): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await pipeline(tar, res);
}

/** Fetches an import source given as a URL (http or https only). */
async function download(url: string): Promise<Readable> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`invalid import source ${JSON.stringify(url)}: not "-" and not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid(`unsupported import URL scheme ${parsed.protocol}`);
  let response: Response;
  try {
    response = await fetchAnyPort(parsed);
  } catch (err) {
    throw unavailable(`error downloading ${url}: ${(err as Error).message}`, err);
  }
  if (!response.ok || !response.body) throw unavailable(`error downloading ${url}: HTTP ${response.status}`);
  return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
}
