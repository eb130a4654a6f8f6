/**
 * The management API under /api/v1 that the console uses (and scripts can:
 * every call also takes Basic credentials or a registry token). Paths and
 * methods:
 *
 *   POST /login {username,password} (sets the session cookie), POST /logout
 *   GET /users/current
 *   GET|POST /users, DELETE /users/{u}, PUT /users/{u}/password, PUT /users/{u}/admin   (admin)
 *   GET|POST /projects, GET|PUT|DELETE /projects/{p}, GET /projects/{p}/repositories
 *   DELETE /projects/{p}/repositories/{r}, GET …/{r}/tags, DELETE …/tags/{t}   (../console/tags.ts)
 *   GET|POST /projects/{p}/members, PUT|DELETE /projects/{p}/members/{u}
 *   GET|POST /projects/{p}/robots, DELETE /projects/{p}/robots/{r}
 *   GET|PUT /projects/{p}/retention, POST …/retention/run, GET|PUT …/immutability,
 *   GET|POST /projects/{p}/webhooks, PUT|DELETE …/webhooks/{id}   (./policies.ts)
 *   GET /audit-logs?project=&repository=&operation=&limit=   (the admin: all; members: their projects')
 *   GET|POST /gc, PUT /gc/schedule   (admin; ./gc.ts)
 *   GET /search?q=   (what the caller may see; ./search.ts)
 */
import { EngineError, notFound } from '../../lib/errors.js';
import type { ConsoleAuth } from '../auth/console.js';
import { principalName } from '../auth/permissions.js';
import { RegistryError } from '../errors.js';
import type { Context } from '../http/context.js';
import { caller, sendApiError, type ApiRequest } from './http.js';
import { listAuditLogs } from './audit.js';
import * as gc from './gc.js';
import { search } from './search.js';
import * as projects from './projects.js';
import * as users from './users.js';
import * as policies from './policies.js';
import * as tags from '../console/tags.js';
import { REMOTE_ROUTES } from './remote.js';

export const API_PREFIX = '/api/v1';

type ApiHandler = (req: ApiRequest) => Promise<void>;

/** [path pattern below the prefix, { method: handler }]; captures are one path segment each. */
const ROUTES: [RegExp, Partial<Record<string, ApiHandler>>][] = [
  [/^\/login$/, { POST: users.login }],
  [/^\/logout$/, { POST: users.logout }],
  [/^\/users\/current$/, { GET: users.currentUser }],
  [/^\/users$/, { GET: users.listUsers, POST: users.createUser }],
  [/^\/users\/([^/]+)$/, { DELETE: users.deleteUser }],
  [/^\/users\/([^/]+)\/password$/, { PUT: users.changePassword }],
  [/^\/users\/([^/]+)\/admin$/, { PUT: users.setAdmin }],
  [/^\/projects$/, { GET: projects.listProjects, POST: projects.createProject }],
  [/^\/projects\/([^/]+)$/, { GET: projects.getProject, PUT: projects.updateProject, DELETE: projects.deleteProject }],
  [/^\/projects\/([^/]+)\/repositories$/, { GET: projects.listRepositories }],
  [/^\/projects\/([^/]+)\/repositories\/([^/]+)$/, { DELETE: tags.deleteRepository }],
  [/^\/projects\/([^/]+)\/repositories\/([^/]+)\/tags$/, { GET: tags.listTags }],
  [/^\/projects\/([^/]+)\/repositories\/([^/]+)\/tags\/([^/]+)$/, { DELETE: tags.deleteTag }],
  [/^\/projects\/([^/]+)\/members$/, { GET: projects.listMembers, POST: projects.addMember }],
  [/^\/projects\/([^/]+)\/members\/([^/]+)$/, { PUT: projects.updateMember, DELETE: projects.removeMember }],
  [/^\/projects\/([^/]+)\/robots$/, { GET: projects.listRobots, POST: projects.createRobot }],
  [/^\/projects\/([^/]+)\/robots\/([^/]+)$/, { DELETE: projects.deleteRobot }],
  [/^\/projects\/([^/]+)\/retention$/, { GET: policies.getRetention, PUT: policies.putRetention }],
  [/^\/projects\/([^/]+)\/retention\/run$/, { POST: policies.runRetentionNow }],
  [/^\/projects\/([^/]+)\/immutability$/, { GET: policies.getImmutability, PUT: policies.putImmutability }],
  [/^\/projects\/([^/]+)\/webhooks$/, { GET: policies.listWebhooks, POST: policies.createWebhook }],
  [/^\/projects\/([^/]+)\/webhooks\/([^/]+)$/, { PUT: policies.updateWebhook, DELETE: policies.deleteWebhook }],
  [/^\/audit-logs$/, { GET: listAuditLogs }],
  ...REMOTE_ROUTES,
  [/^\/gc$/, { GET: gc.gcStatus, POST: gc.runGc }],
  [/^\/gc\/schedule$/, { PUT: gc.setGcSchedule }],
  [/^\/search$/, { GET: search }],
];

export async function serveApi(ctx: Context, auth: ConsoleAuth): Promise<void> {
  ctx.res.setHeader('Cache-Control', 'no-store');
  try {
    const { handler, params } = match(ctx.req.method ?? 'GET', ctx.path.slice(API_PREFIX.length));
    const who = handler === users.login ? undefined : await caller(ctx, auth);
    ctx.user = principalName(who);
    await handler({ ctx, auth, who, params });
  } catch (err) {
    if (!sendApiError(ctx, err)) throw err;
  }
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new EngineError('invalid', `bad percent-encoding in ${JSON.stringify(raw)}`);
  }
}

function match(method: string, path: string): { handler: ApiHandler; params: string[] } {
  for (const [pattern, methods] of ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    const handler = methods[method];
    if (!handler) throw new RegistryError('UNSUPPORTED', `${method} is not allowed here (allowed: ${Object.keys(methods).join(', ')})`, { status: 405 });
    return { handler, params: m.slice(1).map(decodeSegment) };
  }
  throw notFound(`no such API endpoint: ${API_PREFIX}${path}`);
}
