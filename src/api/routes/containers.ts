import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { writeAll } from '../../lib/streams.js';
import { invalid, isEngineError } from '../../lib/errors.js';
import type { Container, ContainerConfig, ContainerService, CreateRequest, HostConfig } from '../../engine/containers/types.js';
import type { ApiBackends } from '../backends.js';
import type { Router } from '../router.js';
import { boolParam, decodeBody, filtersParam, intParam, jsonBody, platformParam, versionLess, type ApiRequest } from '../request.js';
import { UpdateConfig } from './body-types.js';
import { goJsonLine, sendEmpty, sendJson } from '../respond.js';
import { containerInspect, containerSummary, legacyIpcDefault, resolveLinks, statsJson, type NetworkFacts } from './container-json.js';
import { endpointSettingsJson } from './network-json.js';
import type { NetworkService, NetworkView } from '../../engine/network/types.js';
import { attachRoute } from './container-attach.js';
import { logsRoute } from './container-logs.js';
import { archiveRoutes } from './container-archive.js';

type Backends = Pick<ApiBackends, 'containers' | 'images' | 'networks'>;

export function containerRoutes(router: Router, backends: Backends): void {
  const { containers, images, networks } = backends;
  const netFacts = (id: string, version: string, lookups?: NetworkLookups) => networkFacts(networks, id, version, lookups);

  router.add('POST', '/containers/create', async (req, res) => {
    const body = (await jsonBody<ContainerConfig & { HostConfig?: HostConfig; NetworkingConfig?: unknown; Image?: string }>(req))!;
    checkCreateBody(body);
    const { HostConfig: hostConfig, NetworkingConfig: networkingConfig, ...config } = body;
    const request: CreateRequest = {
      name: req.query.get('name') || undefined,
      platform: platformParam(req, '1.41'),
      config: config as CreateRequest['config'],
      hostConfig: legacyIpcDefault(hostConfig, req.version),
      networkingConfig,
    };
    sendJson(res, 201, await containers.create(request));
  });

  router.add('GET', '/containers/json', async (req, res) => {
    const all = boolParam(req.query, 'all');
    const size = boolParam(req.query, 'size');
    const limit = intParam(req.query, 'limit');
    const list = await containers.list({ all: all || (limit ?? 0) > 0, limit, size, filters: filtersParam(req.query) });
    const linkedAs = await linkAliases(containers);
    const lookups: NetworkLookups = new Map();
    const out = [];
    for (const c of list) out.push(containerSummary(c, await netFacts(c.id, req.version, lookups), size ? await containers.sizes(c.id) : undefined, linkedAs.get(c.id)));
    sendJson(res, 200, out);
  });

  router.add('POST', '/containers/prune', async (req, res) => {
    sendJson(res, 200, await containers.prune(filtersParam(req.query)));
  });

  router.add('GET', '/containers/{id}/json', async (req, res) => {
    const c = await containers.get(req.params.id!);
    const graphDriver = await containers.graphDriver(c.id);
    const sizes = boolParam(req.query, 'size') ? await containers.sizes(c.id) : undefined;
    const links = await resolveLinks(c, findContainer(containers));
    sendJson(res, 200, containerInspect(c, { graphDriver, sizes, execIds: null, network: await netFacts(c.id, req.version), links }));
  });

  router.add('POST', '/containers/{id}/start', async (req, res) => {
    await noContentOr304(res, () => containers.start(req.params.id!));
  });

  router.add('POST', '/containers/{id}/stop', async (req, res) => {
    const timeout = intParam(req.query, 't');
    await noContentOr304(res, () => containers.stop(req.params.id!, { timeout, signal: req.query.get('signal') || undefined }));
  });

  router.add('POST', '/containers/{id}/restart', async (req, res) => {
    await containers.restart(req.params.id!, { timeout: intParam(req.query, 't'), signal: req.query.get('signal') || undefined });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/kill', async (req, res) => {
    await containers.kill(req.params.id!, req.query.get('signal') || 'SIGKILL');
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/pause', async (req, res) => {
    await containers.pause(req.params.id!);
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/unpause', async (req, res) => {
    await containers.unpause(req.params.id!);
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/wait', async (req, res) => {
    const condition = (req.query.get('condition') || 'not-running') as 'not-running' | 'next-exit' | 'removed';
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw invalid(`invalid condition: "${condition}"`);
    await containers.get(req.params.id!);
    // Headers go out at once: `docker run` waits for them before it starts the container.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      const result = await containers.wait(req.params.id!, condition, abort.signal);
      res.end(goJsonLine(result)); // a Go json.Encoder's body, as dockerd
    } catch (err) {
      res.end(goJsonLine({ StatusCode: -1, Error: { Message: (err as Error).message } }));
    }
  });

  router.add('DELETE', '/containers/{id}', async (req, res) => {
    await containers.remove(req.params.id!, { force: boolParam(req.query, 'force'), volumes: boolParam(req.query, 'v'), link: boolParam(req.query, 'link') });
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/rename', async (req, res) => {
    await containers.rename(req.params.id!, req.query.get('name') ?? '');
    sendEmpty(res, 204);
  });

  router.add('POST', '/containers/{id}/update', async (req, res) => {
    // dockerd decodes this body with json.NewDecoder: an empty one is Go's bare "EOF".
    const body = (await decodeBody<HostConfig>(req, UpdateConfig, 'EOF'))!;
    const { Warnings } = await containers.update(req.params.id!, body);
    sendJson(res, 200, { Warnings: Warnings.length > 0 ? Warnings : null });
  });

  router.add('POST', '/containers/{id}/resize', async (req, res) => {
    const { height, width } = sizeParams(req);
    await containers.resize(req.params.id!, height, width);
    sendEmpty(res, 200);
  });

  router.add('GET', '/containers/{id}/top', async (req, res) => {
    sendJson(res, 200, await containers.top(req.params.id!, req.query.get('ps_args') ?? ''));
  });

  router.add('GET', '/containers/{id}/changes', async (req, res) => {
    const changes = await containers.changes(req.params.id!);
    sendJson(res, 200, changes.length > 0 ? changes : null);
  });

  router.add('GET', '/containers/{id}/export', async (req, res) => {
    const tar = await containers.export(req.params.id!);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await pipeline(tar, res);
  });

  router.add('GET', '/containers/{id}/stats', async (req, res) => {
    await statsRoute(req, res, backends);
  });

  router.add('POST', '/containers/{id}/attach', (req, res) => attachRoute(req, res, containers));
  router.add('GET', '/containers/{id}/logs', (req, res) => logsRoute(req, res, containers));
  archiveRoutes(router, containers);

  router.add('POST', '/commit', async (req, res) => {
    const container = req.query.get('container');
    if (!container) throw invalid('invalid name or ID supplied: ""'); // dockerd's container lookup of an empty name
    const config = await jsonBody<ContainerConfig>(req, { optional: true });
    const id = await containers.commit(container, {
      repo: req.query.get('repo') || undefined,
      tag: req.query.get('tag') || undefined,
      author: req.query.get('author') || undefined,
      comment: req.query.get('comment') || undefined,
      changes: req.query.getAll('changes').flatMap((c) => c.split('\n')).filter(Boolean),
      pause: boolParam(req.query, 'pause', true),
      config: config ?? undefined,
    });
    sendJson(res, 201, { Id: id });
  });
}

/**
 * The networks one request has looked up, by ID: ps shows hundreds of containers on a few
 * networks, and a network's inspect walks every container for its endpoints.
 */
export type NetworkLookups = Map<string, Promise<NetworkView | null>>;

/** A container's network facts for inspect and ps, with endpoints keyed by network name. */
export async function networkFacts(networks: NetworkService, id: string, version: string, lookups: NetworkLookups = new Map()): Promise<NetworkFacts> {
  const settings = await networks.settings(id).catch(() => null);
  if (!settings) return { sandboxKey: '', ports: {}, endpoints: [] };
  const lookup = (networkId: string) => {
    let found = lookups.get(networkId);
    if (!found) lookups.set(networkId, (found = networks.inspect(networkId).catch(() => null)));
    return found;
  };
  const started = settings.sandboxId !== '';
  const endpoints = await Promise.all(settings.endpoints.map(async (e) => {
    const network = await lookup(e.networkId);
    // dockerd fills NetworkID when the container first joins the network (at start): none for a container
    // never started (no sandbox yet), nor for a network named at create that does not exist yet.
    const json = endpointSettingsJson(network && started ? e : { ...e, networkId: '' });
    // DNSNames came with API 1.44: dockerd 20.10 has no such field.
    if (versionLess(version, '1.44')) delete json.DNSNames;
    return { name: network?.name ?? e.networkId, settings: json };
  }));
  return { sandboxId: settings.sandboxId, sandboxKey: settings.sandboxKey, ports: settings.ports, endpoints, noSandbox: settings.noSandbox };
}

/** start and stop answer 304 when there was nothing to do, as Docker does. */
async function noContentOr304(res: ServerResponse, action: () => Promise<void>): Promise<void> {
  try {
    await action();
    sendEmpty(res, 204);
  } catch (err) {
    if (isEngineError(err, 'notModified')) return sendEmpty(res, 304);
    throw err;
  }
}

export function sizeParams(req: ApiRequest): { height: number; width: number } {
  const height = intParam(req.query, 'h');
  const width = intParam(req.query, 'w');
  if (height === undefined || width === undefined || height < 0 || width < 0) throw invalid('invalid resize parameters: h and w must be non-negative integers');
  return { height, width };
}

/** Stats: a JSON sample per second while streaming; one sample (two reads, 1 s apart, for CPU rates) otherwise. */
async function statsRoute(req: ApiRequest, res: ServerResponse, { containers }: Backends): Promise<void> {
  const stream = boolParam(req.query, 'stream', true);
  const oneShot = boolParam(req.query, 'one-shot');
  let { container, stats: previous } = await containers.stats(req.params.id!);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  if (!stream) {
    if (oneShot || !previous) return void res.end(goJsonLine(statsJson(container, previous, null)));
    await sleep(1000);
    const now = await containers.stats(container.id);
    return void res.end(goJsonLine(statsJson(now.container, now.stats, previous)));
  }
  let closed = false;
  res.on('close', () => (closed = true));
  res.write(goJsonLine(statsJson(container, previous, null)));
  while (!closed) {
    await sleep(1000);
    if (closed) break;
    const now = await containers.stats(container.id).catch(() => null);
    if (!now) break;
    if (!(await writeAll(res, goJsonLine(statsJson(now.container, now.stats, previous))))) break;
    previous = now.stats;
    container = now.container;
  }
  res.end();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function findContainer(containers: ContainerService): (ref: string) => Promise<Container | undefined> {
  return (ref) => containers.get(ref).catch(() => undefined);
}

/** For each container, the full aliases ("/<parent>/<alias>") other containers' links give it: ps lists them among its Names. */
async function linkAliases(containers: ContainerService): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const parent of await containers.list({ all: true, filters: new Map() })) {
    for (const { child, alias } of await resolveLinks(parent, findContainer(containers))) out.set(child.id, [...(out.get(child.id) ?? []), alias]);
  }
  return out;
}

/**
 * As moby's decodeContainerConfig: a body that is not an object is Go's unmarshal error, and one
 * without any Config field (null, {}, only HostConfig) has no Config at all.
 */
function checkCreateBody(body: unknown): void {
  if (body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    const kind = Array.isArray(body) ? 'array' : typeof body === 'boolean' ? 'bool' : typeof body;
    throw invalid(`json: cannot unmarshal ${kind} into Go value of type runconfig.ContainerConfigWrapper`);
  }
  const configKeys = Object.keys(body ?? {}).filter((key) => !/^(hostconfig|networkingconfig)$/i.test(key));
  if (configKeys.length === 0) throw invalid('Config cannot be empty in order to create a container');
}
