import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { invalid, notFound } from '../lib/errors.js';
import { phase, phasesEnabled } from '../lib/phases.js';
import { guardStream } from '../lib/streams.js';
import { sendError, statusOf } from './errors.js';
import { answerClientError, goRefusal, sendRefusal } from './bad-request.js';
import { versionLess, type ApiRequest } from './request.js';
import { Router } from './router.js';
import type { ApiBackends } from './backends.js';
import { systemRoutes } from './routes/system.js';
import { eventRoutes } from './routes/events.js';
import { imageRoutes } from './routes/images.js';
import { containerRoutes } from './routes/containers.js';
import { execRoutes } from './routes/exec.js';
import { volumeRoutes } from './routes/volumes.js';
import { networkRoutes } from './routes/networks.js';
import { buildRoutes } from './routes/build.js';
import { distributionRoutes } from './routes/distribution.js';
import { pluginRoutes } from './routes/plugins.js';
import { swarmRoutes } from './routes/swarm.js';

export const API_VERSION = '1.45';
/** dockerd 20.10's minimum; clients below 1.24 get their errors as plain text (see jsonErrors). */
export const MIN_API_VERSION = '1.12';

export interface ApiOptions {
  debug?: (line: string) => void;
  serverHeader: string;
  /** --api-cors-header: Access-Control-Allow-Origin for browser clients; absent or '' sends no CORS headers. */
  corsHeader?: string;
}

/**
 * The HTTP side of the Engine API: strips the optional /vX.Y prefix, refuses
 * versions outside 1.12–1.45 as Docker does, dispatches to the routes, and
 * turns errors into Docker's JSON error bodies.
 */
export interface ApiHandlers {
  request: (req: IncomingMessage, res: ServerResponse) => void;
  /** For `Connection: Upgrade` requests (attach, exec start), which Node hands over with the raw socket. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** For what Node's parser refuses (oversized headers, bad request lines, a body cut short): Go's answers. */
  clientError: (err: Error, socket: Duplex) => void;
}

export function createApiHandler(backends: ApiBackends, options: ApiOptions): ApiHandlers {
  const router = new Router();
  systemRoutes(router, backends);
  eventRoutes(router, backends);
  imageRoutes(router, backends);
  containerRoutes(router, backends);
  execRoutes(router, backends);
  volumeRoutes(router, backends);
  networkRoutes(router, backends);
  buildRoutes(router, backends);
  distributionRoutes(router, backends);
  pluginRoutes(router);
  swarmRoutes(router);

  const request = (raw: IncomingMessage, res: ServerResponse, upgrade?: ApiRequest['upgrade']) => {
    const started = Date.now();
    const refusal = goRefusal(raw);
    if (refusal) return sendRefusal(res, refusal);
    res.setHeader('Api-Version', API_VERSION);
    res.setHeader('Server', options.serverHeader);
    res.setHeader('Docker-Experimental', 'false');
    res.setHeader('Ostype', 'linux');
    if (options.corsHeader) setCorsHeaders(res, options.corsHeader);
    const done = () => options.debug?.(`${raw.method} ${raw.url} -> ${res.statusCode} (${Date.now() - started} ms)`);
    res.on('finish', done);
    // A client that goes away mid-answer ends this request only.
    guardStream(res, `${raw.method} ${raw.url}: response`, options.debug);
    const target = routeTarget(raw.url);
    handle(router, raw, res, target, upgrade).catch((err) => {
      if (statusOf(err) >= 500) options.debug?.(`error: ${(err as Error).stack ?? String(err)}`);
      sendError(res, err, { plainText: !jsonErrors(target.version) });
    });
  };
  const upgrade = (raw: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's HTTP server lets go of an upgraded socket, its error listener included: from here it is ours to guard.
    guardStream(socket, `${raw.method} ${raw.url}: hijacked connection`, options.debug);
    // A response object on the raw socket, so errors before the takeover are ordinary HTTP answers.
    const res = new ServerResponse(raw);
    res.assignSocket(socket as Socket);
    res.on('finish', () => {
      socket.end();
    });
    request(raw, res, { socket, head });
  };
  return { request: (raw, res) => request(raw, res), upgrade, clientError: (err, socket) => answerClientError(err, socket, options.debug) };
}

/** moby's CORS middleware: the configured origin, and the headers and methods browsers may use. */
function setCorsHeaders(res: ServerResponse, origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Headers', 'Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth');
  res.setHeader('Access-Control-Allow-Methods', 'HEAD, GET, POST, DELETE, PUT, OPTIONS');
}

/** Where a request goes: the path without moby's optional `/v{version:[0-9.]+}` prefix, and that version. */
interface Target {
  url: URL;
  path: string;
  version?: string;
}

function routeTarget(rawUrl: string | undefined): Target {
  const url = new URL(rawUrl ?? '/', 'http://berth');
  const versioned = /^\/v([0-9.]+)(\/.*)$/.exec(url.pathname);
  const path = (versioned ? versioned[2]! : url.pathname).replace(/\/+$/, '') || '/';
  return { url, path, version: versioned?.[1] };
}

/** moby's apiVersionSupportsJSONErrors: errors are `{"message": …}` from API 1.24 on, or with no version in the path. */
function jsonErrors(version: string | undefined): boolean {
  return version === undefined || versionLess('1.23', version);
}

/** moby's version middleware, which runs once a route has matched: a path's version outside MIN_API_VERSION–API_VERSION is refused. */
function checkVersion(version: string): void {
  if (versionLess(API_VERSION, version)) {
    throw invalid(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  if (versionLess(version, MIN_API_VERSION)) {
    throw invalid(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
}

async function handle(router: Router, raw: IncomingMessage, res: ServerResponse, target: Target, upgrade?: ApiRequest['upgrade']): Promise<void> {
  const { url, path } = target;
  const version = target.version ?? API_VERSION;
  const method = raw.method ?? 'GET';
  // Browsers' CORS preflight: moby answers OPTIONS on every path with 200.
  if (method === 'OPTIONS') {
    checkVersion(version);
    return void res.writeHead(200).end();
  }
  const match = router.match(method, path);
  if (match === undefined) throw notFound(`page not found`);
  checkVersion(version);
  const req: ApiRequest = { raw, method, path, params: match.params, query: url.searchParams, version, upgrade };
  if (phasesEnabled()) tracePhases(method, path, res);
  await match.handler(req, res);
}

/** BERTH_PHASES=1: when each request came and when its response was complete. */
function tracePhases(method: string, path: string, res: ServerResponse): void {
  const what = `${method}_${path.replace(/[0-9a-f]{64}/, '{id}')}`;
  phase('api', `${what}:begin`);
  res.once('finish', () => phase('api', `${what}:end`));
}
