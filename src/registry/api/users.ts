/** /api/v1/login, logout, and users (the admin manages them; anyone changes their own password). */
import { EngineError } from '../../lib/errors.js';
import { cookieValue, SESSION_COOKIE } from '../auth/sessions.js';
import { sendEmpty, sendJson } from '../http/context.js';
import { isEncrypted } from '../http/transport.js';
import { jsonBody, requireAdmin, requireUser, stringField, unauthorized, type ApiRequest } from './http.js';

export async function login({ ctx, auth }: ApiRequest): Promise<void> {
  const body = await jsonBody(ctx);
  const who = await auth.accounts.authenticate(stringField(body, 'username'), stringField(body, 'password'));
  if (!who || who.kind !== 'user') throw unauthorized('incorrect username or password');
  const id = await auth.sessions.create(who.name);
  const secure = isEncrypted(ctx.req) ? '; Secure' : '';
  ctx.res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure}`);
  ctx.user = who.name;
  sendJson(ctx.res, 200, { username: who.name, admin: who.admin });
}

export async function logout({ ctx, auth }: ApiRequest): Promise<void> {
  const id = cookieValue(ctx.req.headers.cookie, SESSION_COOKIE);
  if (id !== undefined) await auth.sessions.delete(id);
  ctx.res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
  sendEmpty(ctx.res, 204);
}

export async function currentUser({ ctx, who }: ApiRequest): Promise<void> {
  const user = requireUser(who);
  sendJson(ctx.res, 200, { username: user.name, admin: user.admin });
}

export async function listUsers({ ctx, auth, who }: ApiRequest): Promise<void> {
  requireAdmin(who);
  const users = auth.accounts.userNames().map((name) => {
    const u = auth.accounts.user(name)!;
    return { username: name, admin: u.admin, created: u.created };
  });
  sendJson(ctx.res, 200, users);
}

export async function createUser({ ctx, auth, who }: ApiRequest): Promise<void> {
  requireAdmin(who);
  const body = await jsonBody(ctx);
  const name = stringField(body, 'username');
  await auth.accounts.createUser(name, stringField(body, 'password'), body.admin === true);
  ctx.res.setHeader('Location', `/api/v1/users/${encodeURIComponent(name)}`);
  sendJson(ctx.res, 201, { username: name, admin: body.admin === true });
}

export async function deleteUser({ ctx, auth, who, params }: ApiRequest): Promise<void> {
  requireAdmin(who);
  await auth.accounts.deleteUser(params[0]!);
  await auth.sessions.deleteSubject(params[0]!);
  sendEmpty(ctx.res, 204);
}

/** Users change their own password (giving the old one); the admin sets anyone's. */
export async function changePassword({ ctx, auth, who, params }: ApiRequest): Promise<void> {
  const user = requireUser(who);
  const name = params[0]!;
  const body = await jsonBody(ctx);
  if (!user.admin) {
    if (user.name !== name) throw new EngineError('forbidden', 'you may change only your own password');
    const old = await auth.accounts.authenticate(name, typeof body.old_password === 'string' ? body.old_password : '');
    if (!old) throw new EngineError('forbidden', 'the old password is wrong');
  }
  await auth.accounts.setPassword(name, stringField(body, 'new_password'));
  await auth.sessions.deleteSubject(name);
  sendEmpty(ctx.res, 204);
}

export async function setAdmin({ ctx, auth, who, params }: ApiRequest): Promise<void> {
  requireAdmin(who);
  const body = await jsonBody(ctx);
  if (typeof body.admin !== 'boolean') throw new EngineError('invalid', 'admin must be true or false');
  await auth.accounts.setAdmin(params[0]!, body.admin);
  sendEmpty(ctx.res, 204);
}
