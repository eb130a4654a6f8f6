/** Image endpoints of the Engine API. */
import type { Readable } from 'node:stream';
import { pathSegment, type ApiClient } from './client.js';
import { encodeFilters } from './filters.js';
import { parseNormalizedNamed, ReferenceError } from './reference.js';
import type { Filters, HistoryItem, ImageDeleteItem, ImageInspect, ImagePruneReport, ImageSummary } from './types.js';

export interface ListImagesOptions {
  all?: boolean;
  filters?: Filters;
  digests?: boolean;
}

export function listImages(api: ApiClient, options: ListImagesOptions = {}): Promise<ImageSummary[]> {
  return api.requestJson<ImageSummary[]>('GET', '/images/json', {
    query: { all: options.all ? '1' : undefined, filters: encodeFilters(options.filters), digests: options.digests ? '1' : undefined },
  });
}

export interface InspectResult<T> {
  value: T;
  /** The daemon's JSON exactly as sent, for byte-faithful output. */
  raw: string;
}

export async function inspectImage(api: ApiClient, name: string): Promise<InspectResult<ImageInspect>> {
  const { text } = await api.requestText('GET', `/images/${pathSegment(name)}/json`);
  return { value: JSON.parse(text) as ImageInspect, raw: text };
}

export function imageHistory(api: ApiClient, name: string): Promise<HistoryItem[]> {
  return api.requestJson<HistoryItem[]>('GET', `/images/${pathSegment(name)}/history`);
}

/** Tags `source` as `target` (normalised, `:latest` by default), refusing digests as docker does. */
export async function tagImage(api: ApiClient, source: string, target: string): Promise<void> {
  let ref;
  try {
    ref = parseNormalizedNamed(target);
  } catch (err) {
    const reason = err instanceof ReferenceError ? err.message : String(err);
    throw new ReferenceError(`Error parsing reference: "${target}" is not a valid repository/tag: ${reason}`);
  }
  if (ref.digest) throw new ReferenceError('refusing to create a tag with a digest reference');
  const res = await api.request('POST', `/images/${pathSegment(source)}/tag`, { query: { repo: ref.name, tag: ref.tag ?? 'latest' } });
  res.body.resume();
}

export interface RemoveImageOptions {
  force?: boolean;
  noPrune?: boolean;
}

export function removeImage(api: ApiClient, name: string, options: RemoveImageOptions = {}): Promise<ImageDeleteItem[]> {
  return api.requestJson<ImageDeleteItem[]>('DELETE', `/images/${pathSegment(name)}`, {
    query: { force: options.force ? '1' : undefined, noprune: options.noPrune ? '1' : undefined },
  });
}

export interface ImportImageOptions {
  /** A tar stream to upload, or a URL for the daemon to fetch. */
  source: Readable | { url: string };
  repository?: string;
  tag?: string;
  message?: string;
  changes?: readonly string[];
  platform?: string;
}

/** POST /images/create?fromSrc=…; resolves with the JSON progress stream. */
export async function importImage(api: ApiClient, options: ImportImageOptions): Promise<Readable> {
  const fromUrl = 'url' in options.source ? options.source.url : undefined;
  const res = await api.request('POST', '/images/create', {
    query: {
      fromSrc: fromUrl ?? '-',
      repo: options.repository,
      tag: options.tag,
      message: options.message || undefined,
      changes: options.changes && options.changes.length ? options.changes : undefined,
      platform: options.platform,
    },
    stream: fromUrl === undefined ? (options.source as Readable) : undefined,
  });
  return res.body;
}

/** GET /images/get?names=…: the tar archive as a stream. */
export async function saveImages(api: ApiClient, names: readonly string[]): Promise<Readable> {
  const res = await api.request('GET', '/images/get', { query: { names } });
  return res.body;
}

export interface LoadResult {
  body: Readable;
  /** True when the daemon answers with a JSON progress stream. */
  json: boolean;
}

/** POST /images/load with the tar streamed as the body. */
export async function loadImages(api: ApiClient, tar: Readable, options: { quiet?: boolean } = {}): Promise<LoadResult> {
  const res = await api.request('POST', '/images/load', { query: { quiet: options.quiet ? '1' : '0' }, stream: tar });
  return { body: res.body, json: (res.headers['content-type'] ?? '').includes('application/json') };
}

export function pruneImages(api: ApiClient, filters?: Filters): Promise<ImagePruneReport> {
  return api.requestJson<ImagePruneReport>('POST', '/images/prune', { query: { filters: encodeFilters(filters) } });
}
