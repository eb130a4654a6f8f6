/**
 * A small OCI distribution client for browsing: GET /v2/_catalog and
 * /v2/NAME/tags/list, answering the registry's auth challenge as docker
 * does — Basic with the stored credentials, or Bearer: a token from the
 * challenge's realm (with the credentials, if any) for its service and scope.
 * A refusal is a 403 (forbidden), not a 401: to the browser, a 401 from the
 * dashboard means its own session ended.
 */
import { forbidden, invalid, unavailable } from '../../lib/errors.js';
import { httpsGet, tlsProblem, type TlsOptions } from './registry-tls.js';

/** A registry to talk to; its own CA (and client certificate) for https, when stored with it. */
export interface RegistryTarget extends TlsOptions {
  url: string;
  username?: string;
  password?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TIMEOUT_MS = 30_000;

/** Parses one WWW-Authenticate value: `Bearer realm="…",service="…",scope="…"` (quoted or token values). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

function basic(t: RegistryTarget): string | undefined {
  return t.username ? `Basic ${Buffer.from(`${t.username}:${t.password ?? ''}`).toString('base64')}` : undefined;
}

/** The registry's base URL, checked: http or https, no path, query or credentials in it. */
export function checkRegistryUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid('url is required (http://host:port or https://host)');
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid(`invalid registry URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('a registry URL is http:// or https://');
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) throw invalid('a registry URL is only scheme, host and port');
  return `${url.protocol}//${url.host}`;
}

/** GET with the registry's own TLS trust when it has any (the token realm too: it is the registry's service). */
async function send(t: RegistryTarget, url: string, authorization: string | undefined): Promise<Response> {
  const headers = { Accept: 'application/json', ...(authorization ? { Authorization: authorization } : {}) };
  const ownTls = url.startsWith('https:') && Boolean(t.ca || t.cert);
  try {
    if (ownTls) return await httpsGet(url, headers, t, TIMEOUT_MS);
    return await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error & { code?: string }) : (err as Error & { code?: string });
    throw unavailable(`cannot reach the registry at ${new URL(url).origin}: ${tlsProblem(cause, Boolean(t.ca))}`);
  }
}

/** A Bearer token for the challenge: GET realm?service=…&scope=… (with Basic credentials when there are any). */
async function fetchToken(t: RegistryTarget, c: Challenge): Promise<string> {
  if (!c.params.realm) throw unavailable('the registry asked for a Bearer token without a realm');
  const realm = new URL(c.params.realm, t.url);
  if (c.params.service) realm.searchParams.set('service', c.params.service);
  if (c.params.scope) realm.searchParams.set('scope', c.params.scope);
  const res = await send(t, realm.href, basic(t));
  if (res.status === 401 || res.status === 403) throw forbidden(`the registry's token service refused ${t.username ? `user ${t.username}` : 'anonymous access'}`);
  if (!res.ok) throw unavailable(`the registry's token service answered ${res.status}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw unavailable('the registry\'s token service sent no token');
  return token;
}

/** GET `path` on the registry, answering one auth challenge; returns the successful response. */
export async function registryGet(t: RegistryTarget, path: string): Promise<Response> {
  const url = `${t.url}${path}`;
  let res = await send(t, url, undefined);
  if (res.status === 401) {
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    await res.body?.cancel();
    const authorization = challenge?.scheme === 'bearer' ? `Bearer ${await fetchToken(t, challenge)}` : basic(t);
    if (!authorization) throw forbidden('the registry needs credentials: add a user name and password to this registry');
    res = await send(t, url, authorization);
  }
  if (res.status === 401 || res.status === 403) throw forbidden(`the registry refused ${t.username ? `user ${t.username}` : 'anonymous access'} (${res.status})`);
  if (!res.ok) throw unavailable(`the registry answered ${res.status} for ${path}: ${(await res.text()).slice(0, 200)}`);
  return res;
}

/** One page of /v2/_catalog; `next` from its Link header. */
export async function catalog(t: RegistryTarget, last?: string, n = 100): Promise<{ repositories: string[]; next?: string }> {
  const query = new URLSearchParams({ n: String(n), ...(last ? { last } : {}) });
  const res = await registryGet(t, `/v2/_catalog?${query}`);
  const body = (await res.json()) as { repositories?: string[] | null };
  const repositories = body.repositories ?? [];
  const more = /rel="?next"?/.test(res.headers.get('link') ?? '');
  return { repositories, ...(more && repositories.length ? { next: repositories[repositories.length - 1] } : {}) };
}

/** Repository names as distribution allows them (lower-case path components). */
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function checkRepository(name: unknown): string {
  if (typeof name !== 'string' || !REPOSITORY.test(name)) throw invalid(`invalid repository name: ${String(name)}`);
  return name;
}

export function checkTag(tag: unknown): string {
  if (typeof tag !== 'string' || !TAG.test(tag)) throw invalid(`invalid tag: ${String(tag)}`);
  return tag;
}

export async function tags(t: RegistryTarget, repository: string): Promise<string[]> {
  const res = await registryGet(t, `/v2/${checkRepository(repository)}/tags/list`);
  return (((await res.json()) as { tags?: string[] | null }).tags ?? []).slice().sort();
}
