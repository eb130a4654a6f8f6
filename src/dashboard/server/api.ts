/**
 * The dashboard's JSON API under /api/. Everything but the session probe,
 * first-run setup and login needs a session; see Guard for the checks.
 */
import type { ServerResponse } from 'node:http';
import type { SessionInfo } from '../shared/types.js';
import { checkPassword, type Accounts, type PublicUser } from './accounts.js';
import { composeRoutes } from './compose-routes.js';
import { containerRoutes } from './container-routes.js';
import { eventRoutes } from './event-routes.js';
import { imageRoutes } from './image-routes.js';
import { fileRoutes } from './file-routes.js';
import { registryRoutes } from './registry-routes.js';
import type { RegistryStore } from './registry-store.js';
import { resourceActionRoutes } from './resource-actions.js';
import { resourceRoutes } from './resource-routes.js';
import { runRoutes } from './run-routes.js';
import { statsRoutes } from './stats-routes.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { clientAddress, HttpError, readJson, Router, sameOrigin, sendJson, type Context } from './http.js';
import { sessionCookie, type SessionStore } from './sessions.js';
import type { LoginGate } from './throttle.js';

export interface ApiDeps {
  accounts: Accounts;
  sessions: SessionStore;
  guard: Guard;
  throttle: LoginGate;
  hosts: HostManager;
  registries: RegistryStore;
  /** Cookies get Secure when the dashboard is served over TLS. */
  secure: boolean;
}

type Ctx = Context<unknown>;

export function apiRouter(d: ApiDeps): Router<unknown> {
  const r = new Router<unknown>();
  sessionRoutes(r, d);
  userRoutes(r, d);
  hostRoutes(r, d);
  containerRoutes(r, d.guard, d.hosts);
  resourceRoutes(r, d.guard, d.hosts);
  resourceActionRoutes(r, d.guard, d.hosts);
  statsRoutes(r, d.guard, d.hosts);
  imageRoutes(r, d.guard, d.hosts);
  runRoutes(r, d.guard, d.hosts);
  eventRoutes(r, d.guard, d.hosts);
  fileRoutes(r, d.guard, d.hosts);
  composeRoutes(r, d.guard, d.hosts);
  registryRoutes(r, d.guard, d.hosts, d.registries);
  return r;
}

function sessionRoutes(r: Router<unknown>, d: ApiDeps): void {
  r.on('GET', '/api/session', ({ req, res }) => {
    const caller = d.guard.caller(req);
    if (!caller) return sendJson(res, 401, { message: 'not signed in', setup: d.accounts.isEmpty() });
    sendJson(res, 200, info(caller.user, caller.session.csrf));
  });
  // First run without --admin-password-file: the first visitor chooses the admin's password.
  r.on('POST', '/api/setup', async ({ req, res }) => {
    refuseCrossSite(req);
    const body = await readJson(req);
    const user = await d.accounts.createFirstAdmin(typeof body.username === 'string' && body.username ? body.username : 'admin', body.password);
    await startSession(d, res, user);
  });
  r.on('POST', '/api/login', async ({ req, res }) => {
    refuseCrossSite(req);
    const body = await readJson(req);
    const username = String(body.username ?? '');
    const address = clientAddress(req);
    // Counted before the (slow) password check, so parallel attempts cannot all get in.
    const wait = d.throttle.enter(username, address);
    if (wait > 0) throw new HttpError(429, 'too many failed logins: try again later', { 'Retry-After': String(Math.ceil(wait / 1000)) });
    const user = await d.accounts.verify(username, String(body.password ?? ''));
    if (!user) throw new HttpError(401, 'wrong user name or password');
    d.throttle.succeeded(username, address);
    await startSession(d, res, user);
  });
  r.on('POST', '/api/logout', async ({ req, res }) => {
    const caller = d.guard.require(req, 'viewer');
    await d.sessions.destroy(caller.token);
    sendJson(res, 200, {}, { 'Set-Cookie': sessionCookie('', d.secure, 0) });
  });
  r.on('POST', '/api/password', async ({ req, res }) => {
    const caller = d.guard.require(req, 'viewer');
    const body = await readJson(req);
    if (!(await d.accounts.verify(caller.user.name, String(body.current ?? '')))) throw new HttpError(403, 'the current password is wrong');
    await d.accounts.update(caller.user.name, { password: checkPassword(body.password) });
    await d.sessions.destroyUser(caller.user.name);
    await startSession(d, res, caller.user);
  });
}

function userRoutes(r: Router<unknown>, d: ApiDeps): void {
  r.on('GET', '/api/users', ({ req, res }) => {
    d.guard.require(req, 'admin');
    sendJson(res, 200, d.accounts.list());
  });
  r.on('POST', '/api/users', async ({ req, res }) => {
    d.guard.require(req, 'admin');
    const body = await readJson(req);
    sendJson(res, 201, await d.accounts.create(body.name, body.password, body.role));
  });
  r.on('PATCH', '/api/users/:name', async ({ req, res, params }) => {
    d.guard.require(req, 'admin');
    const body = await readJson(req);
    const user = await d.accounts.update(params.name!, { role: body.role, password: body.password === '' ? undefined : body.password });
    if (body.password !== undefined && body.password !== '') await d.sessions.destroyUser(user.name);
    sendJson(res, 200, user);
  });
  r.on('DELETE', '/api/users/:name', async ({ req, res, params }) => {
    d.guard.require(req, 'admin');
    await d.accounts.remove(params.name!);
    await d.sessions.destroyUser(params.name!);
    sendJson(res, 200, {});
  });
}

function hostRoutes(r: Router<unknown>, d: ApiDeps): void {
  r.on('GET', '/api/hosts', ({ req, res }) => {
    d.guard.require(req, 'viewer');
    sendJson(res, 200, d.hosts.summaries());
  });
  r.on('POST', '/api/hosts', async ({ req, res }) => {
    d.guard.require(req, 'admin');
    sendJson(res, 201, await d.hosts.add(await readJson(req)));
  });
  r.on('DELETE', '/api/hosts/:host', async ({ req, res, params }) => {
    d.guard.require(req, 'admin');
    await d.hosts.remove(params.host!);
    sendJson(res, 200, {});
  });
  r.on('GET', '/api/containers', ({ req, res }) => {
    d.guard.require(req, 'viewer');
    sendJson(res, 200, d.hosts.containers());
  });
}

async function startSession(d: ApiDeps, res: ServerResponse, user: PublicUser): Promise<void> {
  const { token, session } = await d.sessions.create(user.name);
  sendJson(res, 200, info(user, session.csrf), { 'Set-Cookie': sessionCookie(token, d.secure) });
}

function info(user: PublicUser, csrf: string): SessionInfo {
  return { user: { name: user.name, role: user.role }, csrf };
}

/** Login and setup have no session (hence no CSRF token) yet: refuse them from other sites by Origin. */
function refuseCrossSite(req: Ctx['req']): void {
  if (!sameOrigin(req)) throw new HttpError(403, 'cross-site request refused');
}
