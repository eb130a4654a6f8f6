/**
 * The registry calls of the Engine API: pull, push, login (POST /auth) and
 * search, with credentials carried as dockerd expects them (X-Registry-Auth:
 * base64url of the JSON auth config).
 */
import type { Readable } from 'node:stream';
import { pathSegment, type ApiClient } from './client.js';
import type { Filters } from './types.js';
import { encodeFilters } from './filters.js';

/** Registry credentials as the API carries them. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

/** X-Registry-Auth's value: docker sends base64url of the JSON (an empty object when anonymous). */
export function encodeRegistryAuth(auth: RegistryAuth | undefined): string {
  return Buffer.from(JSON.stringify(auth ?? {})).toString('base64url');
}

/**
 * POST /images/create?fromImage=…&tag=…; `tag` may be a digest, and an empty
 * tag with a bare name pulls every tag. Resolves with the progress stream.
 */
export async function pull(api: ApiClient, name: string, tag: string, options: { platform?: string; auth?: RegistryAuth } = {}): Promise<Readable> {
  const res = await api.request('POST', '/images/create', {
    query: { fromImage: name, tag, platform: options.platform || undefined },
    headers: { 'X-Registry-Auth': encodeRegistryAuth(options.auth) },
  });
  return res.body;
}

export async function push(api: ApiClient, name: string, tag: string | undefined, auth: RegistryAuth | undefined): Promise<Readable> {
  const res = await api.request('POST', `/images/${pathSegment(name)}/push`, {
    query: { tag: tag || undefined },
    headers: { 'X-Registry-Auth': encodeRegistryAuth(auth) },
  });
  return res.body;
}

export function login(api: ApiClient, auth: RegistryAuth): Promise<{ Status: string; IdentityToken?: string }> {
  return api.requestJson('POST', '/auth', { json: auth });
}

export function search(api: ApiClient, term: string, options: { limit?: number; filters?: Filters; auth?: RegistryAuth } = {}): Promise<SearchResult[]> {
  return api.requestJson('GET', '/images/search', {
    query: { term, limit: options.limit !== undefined ? String(options.limit) : undefined, filters: encodeFilters(options.filters) },
    headers: { 'X-Registry-Auth': encodeRegistryAuth(options.auth) },
  });
}
