/** Container endpoints of the Engine API. */
import type { Readable } from 'node:stream';
import { pathSegment, type ApiClient, type Query } from './client.js';
import { encodeFilters } from './filters.js';
import type { Hijacked } from './transport.js';
import type { Filters } from './types.js';
import type {
  ChangeItem, CommitOptions, ContainerInspect, ContainerPruneReport, ContainerSummary, CreateContainerRequest,
  CreateContainerResponse, PathStat, TopResponse, UpdateResources, WaitResponse,
} from './container-types.js';

const c = (id: string) => `/containers/${pathSegment(id)}`;
const flag = (on: boolean | undefined) => (on ? '1' : undefined);

/** Drains an answer whose body berth does not need (204s, `{}`s). */
async function discard(res: { body: Readable }): Promise<void> {
  res.body.resume();
  await new Promise<void>((resolve) => (res.body.readableEnded ? resolve() : res.body.once('end', resolve).once('close', resolve)));
}

export function createContainer(api: ApiClient, body: CreateContainerRequest, options: { name?: string; platform?: string } = {}): Promise<CreateContainerResponse> {
  return api.requestJson('POST', '/containers/create', { query: { name: options.name || undefined, platform: options.platform || undefined }, json: body });
}

export interface ListContainersOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Filters;
}

export function listContainers(api: ApiClient, options: ListContainersOptions = {}): Promise<ContainerSummary[]> {
  return api.requestJson('GET', '/containers/json', {
    query: { all: flag(options.all), limit: options.limit && options.limit > 0 ? options.limit : undefined, size: flag(options.size), filters: encodeFilters(options.filters) },
  });
}

export async function inspectContainer(api: ApiClient, id: string, options: { size?: boolean } = {}): Promise<{ value: ContainerInspect; raw: string }> {
  const { text } = await api.requestText('GET', `${c(id)}/json`, { query: { size: flag(options.size) } });
  return { value: JSON.parse(text) as ContainerInspect, raw: text };
}

/** 304 Not Modified from start/stop means "already in that state": success, as the Go client treats it. */
async function allowNotModified(call: Promise<{ body: Readable }>): Promise<void> {
  try {
    await discard(await call);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 304) throw err;
  }
}

export async function startContainer(api: ApiClient, id: string, options: { detachKeys?: string } = {}): Promise<void> {
  await allowNotModified(api.request('POST', `${c(id)}/start`, { query: { detachKeys: options.detachKeys || undefined } }));
}

export async function stopContainer(api: ApiClient, id: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
  await allowNotModified(api.request('POST', `${c(id)}/stop`, { query: { t: options.timeout, signal: options.signal || undefined } }));
}

export async function restartContainer(api: ApiClient, id: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
  await discard(await api.request('POST', `${c(id)}/restart`, { query: { t: options.timeout, signal: options.signal || undefined } }));
}

export async function killContainer(api: ApiClient, id: string, signal?: string): Promise<void> {
  await discard(await api.request('POST', `${c(id)}/kill`, { query: { signal: signal || undefined } }));
}

export async function pauseContainer(api: ApiClient, id: string): Promise<void> {
  await discard(await api.request('POST', `${c(id)}/pause`));
}

export async function unpauseContainer(api: ApiClient, id: string): Promise<void> {
  await discard(await api.request('POST', `${c(id)}/unpause`));
}

export async function removeContainer(api: ApiClient, id: string, options: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<void> {
  await discard(await api.request('DELETE', c(id), { query: { force: flag(options.force), v: flag(options.volumes), link: flag(options.link) } }));
}

export async function renameContainer(api: ApiClient, id: string, name: string): Promise<void> {
  await discard(await api.request('POST', `${c(id)}/rename`, { query: { name } }));
}

/**
 * POST /containers/{id}/wait. Resolves once the daemon has answered with its
 * headers — i.e. registered the waiter (dockerd flushes them at once) — with
 * a promise of the exit result, so `run` can wait *before* it starts.
 */
export async function waitContainer(api: ApiClient, id: string, condition?: 'not-running' | 'next-exit' | 'removed'): Promise<{ result: Promise<WaitResponse> }> {
  const res = await api.request('POST', `${c(id)}/wait`, { query: { condition }, longLived: true });
  const result = (async () => {
    let text = '';
    for await (const chunk of res.body) text += (chunk as Buffer).toString('utf8');
    if (!text.trim()) throw new Error('wait: the daemon closed the connection without a status');
    return JSON.parse(text) as WaitResponse;
  })();
  // Wrapped in an object: a promise returned from an async function would be adopted, not handed back.
  return { result };
}

export function topContainer(api: ApiClient, id: string, psArgs?: string): Promise<TopResponse> {
  return api.requestJson('GET', `${c(id)}/top`, { query: { ps_args: psArgs || undefined } });
}

export async function containerChanges(api: ApiClient, id: string): Promise<ChangeItem[]> {
  return (await api.requestJson<ChangeItem[] | null>('GET', `${c(id)}/changes`)) ?? [];
}

export function commitContainer(api: ApiClient, id: string, options: CommitOptions = {}): Promise<{ Id: string }> {
  return api.requestJson('POST', '/commit', {
    query: {
      container: id, repo: options.repo || undefined, tag: options.tag || undefined, comment: options.comment || undefined,
      author: options.author || undefined, pause: options.pause === false ? '0' : '1', changes: options.changes?.length ? options.changes : undefined,
    },
    json: {},
  });
}

export async function exportContainer(api: ApiClient, id: string): Promise<Readable> {
  return (await api.request('GET', `${c(id)}/export`)).body;
}

/** Decodes `X-Docker-Container-Path-Stat` (base64 JSON). */
function pathStatFromHeader(value: string | string[] | undefined): PathStat {
  const text = Buffer.from(String(Array.isArray(value) ? value[0] : (value ?? '')), 'base64').toString('utf8');
  return JSON.parse(text || '{}') as PathStat;
}

export async function statContainerPath(api: ApiClient, id: string, path: string): Promise<PathStat> {
  const res = await api.request('HEAD', `${c(id)}/archive`, { query: { path } });
  await discard(res);
  return pathStatFromHeader(res.headers['x-docker-container-path-stat']);
}

export async function getArchive(api: ApiClient, id: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
  const res = await api.request('GET', `${c(id)}/archive`, { query: { path } });
  return { stat: pathStatFromHeader(res.headers['x-docker-container-path-stat']), tar: res.body };
}

export async function putArchive(api: ApiClient, id: string, path: string, tar: Readable, options: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
  const query: Query = { path, copyUIDGID: options.copyUIDGID ? 'true' : undefined, noOverwriteDirNonDir: options.noOverwriteDirNonDir ? 'true' : undefined };
  await discard(await api.request('PUT', `${c(id)}/archive`, { query, stream: tar }));
}

export async function containerStats(api: ApiClient, id: string, stream: boolean): Promise<Readable> {
  return (await api.request('GET', `${c(id)}/stats`, { query: { stream: stream ? '1' : '0' }, longLived: stream })).body;
}

export function updateContainer(api: ApiClient, id: string, resources: UpdateResources): Promise<{ Warnings: string[] | null }> {
  return api.requestJson('POST', `${c(id)}/update`, { json: resources });
}

export function pruneContainers(api: ApiClient, filters?: Filters): Promise<ContainerPruneReport> {
  return api.requestJson('POST', '/containers/prune', { query: { filters: encodeFilters(filters) } });
}

export interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  details?: boolean;
}

export async function containerLogs(api: ApiClient, id: string, options: LogsOptions = {}): Promise<Readable> {
  const res = await api.request('GET', `${c(id)}/logs`, {
    query: {
      stdout: '1', stderr: '1', follow: flag(options.follow), tail: options.tail || undefined, since: options.since || undefined,
      until: options.until || undefined, timestamps: flag(options.timestamps), details: flag(options.details),
    },
    longLived: options.follow,
  });
  return res.body;
}

export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
}

export function attachContainer(api: ApiClient, id: string, options: AttachOptions): Promise<Hijacked> {
  return api.hijack('POST', `${c(id)}/attach`, {
    query: {
      stream: flag(options.stream ?? true), stdin: flag(options.stdin), stdout: flag(options.stdout), stderr: flag(options.stderr),
      logs: flag(options.logs), detachKeys: options.detachKeys || undefined,
    },
  });
}

export async function resizeContainer(api: ApiClient, id: string, height: number, width: number): Promise<void> {
  await discard(await api.request('POST', `${c(id)}/resize`, { query: { h: height, w: width } }));
}
