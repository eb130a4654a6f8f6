import type { IncomingMessage } from 'node:http';
import { invalid } from '../../lib/errors.js';
import { invalidFilter } from '../../lib/filter-errors.js';
import { credentialsOf, type CredentialPolicy } from './auth.js';
import { HUB_DOMAIN, HUB_INDEX, type EndpointResolver } from './endpoints.js';
import { registryError } from './errors.js';
import { isNetworkError, readBody, send } from './transport.js';
import type { SearchOptions, SearchResult } from './types.js';

const DEFAULT_LIMIT = 25;
const FILTERS = ['stars', 'is-automated', 'is-official'];

/**
 * GET /images/search: the old v1 search API of a registry ("host:5000/term"
 * searches that registry for "term"; anything else searches Docker Hub),
 * with dockerd's limit range and filters applied to what comes back.
 */
export async function search(resolver: EndpointResolver, mayCarryCredentials: CredentialPolicy, term: string, options: SearchOptions): Promise<SearchResult[]> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid(`limit ${limit} is outside the range of [1, 100]`);
  const filters = parseFilters(options.filters);
  const { domain, query } = splitSearchTerm(term);
  const bases = domain === HUB_DOMAIN ? [{ url: new URL(HUB_INDEX), tls: { verify: true } }] : (await resolver.endpoints(domain)).filter((e) => !e.mirror);
  let lastError: unknown;
  for (const base of bases) {
    const url = new URL('/v1/search', base.url);
    url.searchParams.set('q', query);
    url.searchParams.set('n', String(limit));
    try {
      const headers = await authHeaders(url, options, mayCarryCredentials);
      const res = await send({ method: 'GET', url, headers, tls: base.tls });
      return applyFilters(await readResults(res), filters).slice(0, limit);
    } catch (err) {
      lastError = err;
      if (!isNetworkError(err)) throw err;
    }
  }
  throw lastError;
}

/** moby's splitReposSearchTerm: a first component that looks like a host names the registry. */
export function splitSearchTerm(term: string): { domain: string; query: string } {
  const slash = term.indexOf('/');
  if (slash > 0) {
    const first = term.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      return { domain: first === 'index.docker.io' || first === 'docker.io' ? HUB_DOMAIN : first, query: term.slice(slash + 1) };
    }
  }
  // Official images are stored as library/x but searched for as x.
  return { domain: HUB_DOMAIN, query: term.replace(/^library\//, '') };
}

async function authHeaders(url: URL, options: SearchOptions, mayCarryCredentials: CredentialPolicy): Promise<Record<string, string>> {
  const creds = credentialsOf(options.auth);
  if (!creds || creds.identityToken || !(await mayCarryCredentials(url))) return {};
  return { Authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` };
}

async function readResults(res: IncomingMessage): Promise<SearchResult[]> {
  if (res.statusCode !== 200) throw await registryError(res);
  const body = await readBody(res, 4 << 20, 'search results');
  let parsed: { results?: unknown };
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    throw invalid('the registry answered the search with something that is not JSON');
  }
  if (!Array.isArray(parsed.results)) return [];
  return parsed.results.map((r: Partial<SearchResult>) => ({
    name: String(r.name ?? ''),
    description: String(r.description ?? ''),
    star_count: Number(r.star_count ?? 0),
    is_official: r.is_official === true,
    is_automated: r.is_automated === true,
  }));
}

interface SearchFilters {
  stars?: number;
  official?: boolean;
  automated?: boolean;
}

function parseFilters(filters: Map<string, string[]> | undefined): SearchFilters {
  const out: SearchFilters = {};
  for (const [key, values] of filters ?? []) {
    if (!FILTERS.includes(key)) throw invalidFilter(key);
    const value = values[values.length - 1];
    if (value === undefined) continue;
    if (key === 'stars') {
      if (!/^\d+$/.test(value)) throw invalidFilter('stars', value);
      out.stars = Math.max(out.stars ?? 0, Number(value));
    } else {
      if (!['true', 'false', '1', '0'].includes(value)) throw invalidFilter(key, values);
      out[key === 'is-official' ? 'official' : 'automated'] = value === 'true' || value === '1';
    }
  }
  return out;
}

function applyFilters(results: SearchResult[], filters: SearchFilters): SearchResult[] {
  return results.filter((r) =>
    (filters.stars === undefined || r.star_count >= filters.stars)
    && (filters.official === undefined || r.is_official === filters.official)
    && (filters.automated === undefined || r.is_automated === filters.automated));
}
