/**
 * The management API's request plumbing: who is calling (session cookie,
 * Basic credentials or a registry token), JSON bodies, and errors as
 * `{"errors":[{"code","message"}]}` (Harbor's shape) with the status of the
 * error's kind.
 */
import type { ErrorKind } from '../../lib/errors.js';
import { EngineError, isEngineError } from '../../lib/errors.js';
import type { ConsoleAuth } from '../auth/console.js';
import type { Principal } from '../auth/permissions.js';
import { cookieValue, SESSION_COOKIE } from '../auth/sessions.js';
import { RegistryError } from '../errors.js';
import { readBody, sendJson, type Context } from '../http/context.js';
import { identify } from '../http/bearer.js';

const BODY_LIMIT = 64 * 1024;

export interface ApiRequest {
  ctx: Context;
  auth: ConsoleAuth;
  /** The caller, or undefined for anonymous. */
  who: Principal | undefined;
  /** The path's captures (a project, a user, a robot). */
  params: string[];
}

const STATUS: Partial<Record<ErrorKind, [number, string]>> = {
  invalid: [400, 'BAD_REQUEST'],
  unauthorized: [401, 'UNAUTHORIZED'],
  forbidden: [403, 'FORBIDDEN'],
  notFound: [404, 'NOT_FOUND'],
  conflict: [409, 'CONFLICT'],
  notImplemented: [405, 'METHOD_NOT_ALLOWED'],
};

export function sendApiError(ctx: Context, err: unknown): boolean {
  if (!isEngineError(err) || err.kind === 'internal') return false;
  const [status, code] = err instanceof RegistryError && err.code === 'UNAUTHORIZED' ? [401, 'UNAUTHORIZED'] : STATUS[err.kind] ?? [500, 'UNKNOWN'];
  sendJson(ctx.res, status, { errors: [{ code, message: err.message }] });
  return true;
}

export const unauthorized = (message = 'log in first') => new EngineError('unauthorized', message);

/**
 * The caller. A session cookie counts only for GETs and JSON bodies: a
 * cross-site form cannot send application/json, so the cookie cannot be
 * ridden by another site (SameSite=Strict aside).
 */
export async function caller(ctx: Context, auth: ConsoleAuth): Promise<Principal | undefined> {
  const session = cookieValue(ctx.req.headers.cookie, SESSION_COOKIE);
  const subject = session === undefined ? undefined : auth.sessions.subject(session);
  if (subject !== undefined && ctx.req.headers.authorization === undefined) {
    const safe = ctx.req.method === 'GET' || ctx.req.method === 'HEAD';
    if (!safe && !isJson(ctx)) throw new EngineError('forbidden', 'requests with the session cookie must send Content-Type: application/json');
    return auth.accounts.principal(subject);
  }
  return identify(ctx, auth);
}

export function isJson(ctx: Context): boolean {
  return /^application\/json\b/i.test(ctx.req.headers['content-type'] ?? '');
}

/** The request's JSON object body. */
export async function jsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const text = (await readBody(ctx.req, BODY_LIMIT, 'request body')).toString('utf8');
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new EngineError('invalid', 'the body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EngineError('invalid', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new EngineError('invalid', `${key} must be a non-empty string`);
  return value;
}

export function requireUser(who: Principal | undefined): Extract<Principal, { kind: 'user' }> {
  if (!who) throw unauthorized();
  if (who.kind !== 'user') throw new EngineError('forbidden', 'robot accounts cannot use the management API');
  return who;
}

export function requireAdmin(who: Principal | undefined): void {
  if (!requireUser(who).admin) throw new EngineError('forbidden', 'only the admin may do this');
}
