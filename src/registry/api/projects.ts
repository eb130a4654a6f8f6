/**
 * /api/v1/projects: projects (anyone logged in creates one and becomes its
 * projectAdmin, as in Harbor), their visibility, members, robots and
 * repositories. Projects a caller may not see answer 404, not 403, so their
 * names do not leak.
 */
import { EngineError, notFound } from '../../lib/errors.js';
import type { ProjectRecord } from '../auth/accounts.js';
import { mayManage, maySee, robotLogin, type Principal, type Role } from '../auth/permissions.js';
import { sendEmpty, sendJson } from '../http/context.js';
import { jsonBody, requireUser, stringField, type ApiRequest } from './http.js';

export function visibleProject(req: ApiRequest): ProjectRecord {
  const name = req.params[0]!;
  const project = req.auth.accounts.project(name);
  if (!project || !maySee(req.who, name, project)) throw notFound(`no such project: ${name}`);
  return project;
}

export function managedProject(req: ApiRequest): ProjectRecord {
  const project = visibleProject(req);
  if (!mayManage(req.who, project)) throw new EngineError('forbidden', `only the admin and project admins may change project ${req.params[0]}`);
  return project;
}

function projectView(name: string, p: ProjectRecord, who: Principal | undefined, repositories: number) {
  const role = who?.kind === 'user' ? p.members[who.name] : undefined;
  return { name, public: p.public, created: p.created, repositories, quota_bytes: p.quotaBytes ?? null, ...(role ? { role } : {}) };
}

async function repositoriesOf(req: ApiRequest, project: string): Promise<string[]> {
  return (await req.ctx.registry.repos.list()).filter((r) => r.startsWith(`${project}/`));
}

export async function listProjects(req: ApiRequest): Promise<void> {
  const all = await req.ctx.registry.repos.list();
  const out = req.auth.accounts
    .projectNames()
    .filter((name) => maySee(req.who, name, req.auth.accounts.project(name)!))
    .map((name) => projectView(name, req.auth.accounts.project(name)!, req.who, all.filter((r) => r.startsWith(`${name}/`)).length));
  sendJson(req.ctx.res, 200, out);
}

export async function createProject(req: ApiRequest): Promise<void> {
  const user = requireUser(req.who);
  const body = await jsonBody(req.ctx);
  const name = stringField(body, 'name');
  // The admin needs no membership; anyone else becomes the new project's projectAdmin.
  await req.auth.accounts.createProject(name, body.public === true, user.admin ? undefined : user.name);
  req.ctx.res.setHeader('Location', `/api/v1/projects/${encodeURIComponent(name)}`);
  sendJson(req.ctx.res, 201, projectView(name, req.auth.accounts.project(name)!, req.who, 0));
}

export async function getProject(req: ApiRequest): Promise<void> {
  const project = visibleProject(req);
  const name = req.params[0]!;
  const used = await req.ctx.registry.usage(name);
  sendJson(req.ctx.res, 200, { ...projectView(name, project, req.who, (await repositoriesOf(req, name)).length), used_bytes: used });
}

/** {public?: boolean, quota_bytes?: number | null}; the quota is the admin's to set, as in Harbor. */
export async function updateProject(req: ApiRequest): Promise<void> {
  managedProject(req);
  const body = await jsonBody(req.ctx);
  if (body.public !== undefined && typeof body.public !== 'boolean') throw new EngineError('invalid', 'public must be true or false');
  const quota = body.quota_bytes;
  if (quota !== undefined) {
    if (!(req.who?.kind === 'user' && req.who.admin)) throw new EngineError('forbidden', 'only the admin sets quotas');
    if (quota !== null && typeof quota !== 'number') throw new EngineError('invalid', 'quota_bytes must be a number of bytes or null');
    await req.auth.accounts.setQuota(req.params[0]!, quota ?? undefined);
  }
  if (typeof body.public === 'boolean') await req.auth.accounts.setPublic(req.params[0]!, body.public);
  sendEmpty(req.ctx.res, 204);
}

/** Only an empty project may go (Harbor refuses too): its images would stay reachable by name otherwise. */
export async function deleteProject(req: ApiRequest): Promise<void> {
  managedProject(req);
  const repos = await repositoriesOf(req, req.params[0]!);
  if (repos.length > 0) throw new EngineError('conflict', `project ${req.params[0]} still has repositories: ${repos.join(', ')}`);
  await req.auth.accounts.deleteProject(req.params[0]!);
  sendEmpty(req.ctx.res, 204);
}

export async function listRepositories(req: ApiRequest): Promise<void> {
  visibleProject(req);
  sendJson(req.ctx.res, 200, (await repositoriesOf(req, req.params[0]!)).map((name) => ({ name })));
}

// ---- members ----

export async function listMembers(req: ApiRequest): Promise<void> {
  const project = visibleProject(req);
  if (!mayManage(req.who, project) && !(req.who?.kind === 'user' && project.members[req.who.name])) {
    throw new EngineError('forbidden', 'only members see a project\'s members');
  }
  sendJson(req.ctx.res, 200, Object.entries(project.members).map(([username, role]) => ({ username, role })));
}

export async function addMember(req: ApiRequest): Promise<void> {
  managedProject(req);
  const body = await jsonBody(req.ctx);
  const username = stringField(body, 'username');
  await req.auth.accounts.setMember(req.params[0]!, username, stringField(body, 'role') as Role);
  sendJson(req.ctx.res, 201, { username, role: body.role });
}

export async function updateMember(req: ApiRequest): Promise<void> {
  const project = managedProject(req);
  if (!project.members[req.params[1]!]) throw notFound(`${req.params[1]} is not a member of project ${req.params[0]}`);
  const body = await jsonBody(req.ctx);
  await req.auth.accounts.setMember(req.params[0]!, req.params[1]!, stringField(body, 'role') as Role);
  sendEmpty(req.ctx.res, 204);
}

export async function removeMember(req: ApiRequest): Promise<void> {
  managedProject(req);
  await req.auth.accounts.removeMember(req.params[0]!, req.params[1]!);
  sendEmpty(req.ctx.res, 204);
}

// ---- robots ----

export async function listRobots(req: ApiRequest): Promise<void> {
  const project = managedProject(req);
  const robots = Object.entries(project.robots).map(([name, r]) => ({
    name: robotLogin(req.params[0]!, name),
    actions: r.actions,
    description: r.description,
    created: r.created,
    expires_at: r.expiresAt,
  }));
  sendJson(req.ctx.res, 200, robots);
}

/** The secret is in this answer only; it is not stored (only its hash is). */
export async function createRobot(req: ApiRequest): Promise<void> {
  managedProject(req);
  const body = await jsonBody(req.ctx);
  const name = stringField(body, 'name');
  const actions = Array.isArray(body.actions) ? body.actions.map(String) : ['pull'];
  const days = body.duration_days;
  if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days === 0 || days < -1)) {
    throw new EngineError('invalid', 'duration_days must be a positive number of days, or -1 for never');
  }
  const expiresAt = days === undefined || days === -1 ? -1 : Math.floor(Date.now() / 1000) + (days as number) * 86400;
  const description = typeof body.description === 'string' ? body.description : '';
  const secret = await req.auth.accounts.createRobot(req.params[0]!, name, actions, { description, expiresAt });
  sendJson(req.ctx.res, 201, { name: robotLogin(req.params[0]!, name), secret, actions, expires_at: expiresAt });
}

export async function deleteRobot(req: ApiRequest): Promise<void> {
  managedProject(req);
  await req.auth.accounts.deleteRobot(req.params[0]!, req.params[1]!);
  sendEmpty(req.ctx.res, 204);
}
