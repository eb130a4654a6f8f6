/**
 * GET/POST /service/token, the registry token spec's endpoint: GET with
 * Basic credentials or none (`service`, any number of `scope`, and
 * `offline_token=true` for a refresh token, which docker login asks for),
 * and the OAuth2 POST form (grant_type password or refresh_token, scopes
 * space-separated, access_type=offline) that docker uses with a refresh token.
 */
import type { ConsoleAuth } from '../auth/console.js';
import { basicCredentials } from '../auth/htpasswd.js';
import type { Principal } from '../auth/permissions.js';
import { parseScopes } from '../auth/scope.js';
import { registryError, RegistryError } from '../errors.js';
import { readBody, sendJson, type Context } from './context.js';
import { passwordTransportAllowed, isEncrypted } from './transport.js';

export const TOKEN_PATH = '/service/token';
const FORM_LIMIT = 64 * 1024;

export async function tokenEndpoint(ctx: Context, auth: ConsoleAuth, allowPlainHttp: boolean): Promise<void> {
  ctx.res.setHeader('Cache-Control', 'no-store');
  if (ctx.req.method === 'GET') return tokenGet(ctx, auth, allowPlainHttp);
  if (ctx.req.method === 'POST') return tokenPost(ctx, auth, allowPlainHttp);
  throw new RegistryError('UNSUPPORTED', `${ctx.req.method} is not allowed here (allowed: GET, POST)`, { status: 405 });
}

async function tokenGet(ctx: Context, auth: ConsoleAuth, allowPlainHttp: boolean): Promise<void> {
  const credentials = basicCredentials(ctx.req.headers.authorization);
  let who: Principal | undefined;
  if (credentials) {
    checkTransport(ctx, allowPlainHttp);
    who = await auth.accounts.authenticate(credentials.user, credentials.password);
    if (!who) return refuse(ctx, 'incorrect username or password');
  } else if (ctx.req.headers.authorization !== undefined) {
    return refuse(ctx, 'only Basic credentials are accepted here');
  }
  ctx.user = credentials?.user;
  const issued = auth.tokens.issue(who, parseScopes(ctx.query.getAll('scope')), { offline: ctx.query.get('offline_token') === 'true' });
  sendJson(ctx.res, 200, issued);
}

async function tokenPost(ctx: Context, auth: ConsoleAuth, allowPlainHttp: boolean): Promise<void> {
  const form = new URLSearchParams((await readBody(ctx.req, FORM_LIMIT, 'token request')).toString('utf8'));
  const grant = form.get('grant_type');
  let who: Principal | undefined;
  if (grant === 'password') {
    checkTransport(ctx, allowPlainHttp);
    who = await auth.accounts.authenticate(form.get('username') ?? '', form.get('password') ?? '');
    if (!who) return refuse(ctx, 'incorrect username or password');
  } else if (grant === 'refresh_token') {
    who = auth.tokens.redeemRefreshToken(form.get('refresh_token') ?? '');
    if (!who) return refuse(ctx, 'invalid refresh token');
  } else {
    throw registryError('UNSUPPORTED', `unsupported grant_type ${JSON.stringify(grant)}: password or refresh_token`);
  }
  ctx.user = who.name;
  const issued = auth.tokens.issue(who, parseScopes(form.getAll('scope')), { offline: grant === 'password' && form.get('access_type') === 'offline' });
  // With a refresh token, the client keeps the one it has.
  sendJson(ctx.res, 200, grant === 'refresh_token' ? { ...issued, refresh_token: undefined } : issued);
}

function checkTransport(ctx: Context, allowPlainHttp: boolean): void {
  if (!passwordTransportAllowed(isEncrypted(ctx.req), ctx.remote, allowPlainHttp)) {
    throw registryError('DENIED', 'passwords over plain HTTP are refused from other hosts: serve with TLS (--tls-cert/--tls-key)');
  }
}

/**
 * 401 with both shapes clients read: "details" (what docker's client shows
 * first, as "unauthorized: <details>") and the spec's errors list.
 */
function refuse(ctx: Context, message: string): void {
  sendJson(ctx.res, 401, { errors: [{ code: 'UNAUTHORIZED', message }], details: message });
}
