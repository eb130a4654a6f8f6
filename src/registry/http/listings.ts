/** Tags, the catalog, referrers (OCI 1.1) and the old /v1/search that `docker search` queries. */
import { OCI_INDEX } from '../media-types.js';
import { checkDigest } from '../names.js';
import { registryError } from '../errors.js';
import { paginate } from '../registry.js';
import { countParam, nextLink, sendJson, type Context } from './context.js';

/** distribution's default page size for the catalog, and the most one request may ask for. */
const CATALOG_DEFAULT = 100;
const MAX_ENTRIES = 1000;

export async function listTags(ctx: Context): Promise<void> {
  const n = capped(countParam(ctx.query, 'n'));
  const page = await ctx.registry.tags(ctx.name, n, ctx.query.get('last') ?? undefined);
  const headers: Record<string, string> = page.next && n ? { Link: nextLink(`/v2/${ctx.name}/tags/list`, n, page.next) } : {};
  sendJson(ctx.res, 200, { name: ctx.name, tags: page.items }, headers);
}

export async function catalog(ctx: Context): Promise<void> {
  const n = capped(countParam(ctx.query, 'n')) ?? CATALOG_DEFAULT;
  const last = ctx.query.get('last') ?? undefined;
  const page = ctx.mayList ? paginate((await ctx.registry.repos.list()).filter(ctx.mayList), n, last) : await ctx.registry.catalog(n, last);
  const headers: Record<string, string> = page.next ? { Link: nextLink('/v2/_catalog', n, page.next) } : {};
  sendJson(ctx.res, 200, { repositories: page.items }, headers);
}

export async function referrers(ctx: Context): Promise<void> {
  const subject = checkDigest(ctx.params[0]);
  const artifactType = ctx.query.get('artifactType') ?? undefined;
  const manifests = await ctx.registry.referrers(ctx.name, subject, artifactType);
  const headers: Record<string, string> = { 'Content-Type': OCI_INDEX };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  sendJson(ctx.res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, headers);
}

/**
 * GET /v1/search?q=&n=&page= in the shape Docker Hub's old API had, which
 * `docker search host:port/term` still asks for. Every repository whose name
 * contains the term matches; there are no descriptions or stars to give.
 */
export async function search(ctx: Context): Promise<void> {
  const query = (ctx.query.get('q') ?? '').toLowerCase();
  const pageSize = Math.min(Math.max(countParam(ctx.query, 'n') ?? 25, 1), 100);
  const page = Math.max(countParam(ctx.query, 'page') ?? 1, 1);
  const mayList = ctx.mayList ?? (() => true);
  const matches = (await ctx.registry.repos.list()).filter((name) => name.includes(query) && mayList(name));
  const results = matches.slice((page - 1) * pageSize, page * pageSize).map((name) => ({
    name,
    description: '',
    star_count: 0,
    is_official: false,
    is_automated: false,
  }));
  sendJson(ctx.res, 200, {
    query,
    num_results: matches.length,
    num_pages: Math.ceil(matches.length / pageSize),
    page,
    page_size: pageSize,
    results,
  });
}

function capped(n: number | undefined): number | undefined {
  if (n !== undefined && n > MAX_ENTRIES) throw registryError('PAGINATION_NUMBER_INVALID', `n may be at most ${MAX_ENTRIES}`, { n });
  return n;
}
