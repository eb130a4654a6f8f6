/**
 * GET /api/v1/search?q=TERM: the projects and repositories whose name
 * contains the term, among those the caller may see (the rule of the
 * catalog and /v1/search: public projects, the caller's own, everything for
 * the admin), with each repository's tag count. At most 100 of each.
 */
import { EngineError } from '../../lib/errors.js';
import { maySee, projectOf } from '../auth/permissions.js';
import { sendJson } from '../http/context.js';
import { listFilter } from '../http/bearer.js';
import type { ApiRequest } from './http.js';

const MAX_RESULTS = 100;

export async function search(req: ApiRequest): Promise<void> {
  const term = (req.ctx.query.get('q') ?? '').trim().toLowerCase();
  if (term === '') throw new EngineError('invalid', 'q (the search term) is required');
  if (term.length > 255) throw new EngineError('invalid', 'the search term is at most 255 characters');
  const accounts = req.auth.accounts;
  const projects = accounts
    .projectNames()
    .filter((name) => name.includes(term) && maySee(req.who, name, accounts.project(name)!))
    .slice(0, MAX_RESULTS)
    .map((name) => ({ name, public: accounts.project(name)!.public }));
  const visible = listFilter(req.auth, req.who);
  const names = (await req.ctx.registry.repos.list()).filter((name) => name.includes(term) && visible(name)).slice(0, MAX_RESULTS);
  const repositories = await Promise.all(
    names.map(async (name) => ({ name, project: projectOf(name) ?? null, tags: (await req.ctx.registry.repos.tags(name)).length })),
  );
  sendJson(req.ctx.res, 200, { query: term, projects, repositories });
}
