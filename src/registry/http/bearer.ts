/**
 * Access control of `--console` mode on the registry's own routes: /v2/
 * requests need a Bearer token from /service/token granting what the request
 * needs (answered as distribution answers: 401 with a challenge naming the
 * scope), and listings (/v2/_catalog, /v1/search) show each caller only the
 * repositories of projects it may see.
 */
import type { ConsoleAuth } from '../auth/console.js';
import { basicCredentials } from '../auth/htpasswd.js';
import { maySee, projectOf, type Principal } from '../auth/permissions.js';
import { bearerChallenge, missingAccess, requiredAccess, type Access } from '../auth/scope.js';
import { RegistryError } from '../errors.js';
import type { Context } from './context.js';
import { TOKEN_PATH } from './token.js';
import { isEncrypted } from './transport.js';

/** Checks the request's token for what the route needs; sets ctx.user and, for listings, ctx.mayList. */
export function authorizeV2(ctx: Context, auth: ConsoleAuth): void {
  const method = ctx.req.method ?? 'GET';
  const catalog = ctx.path === '/v2/_catalog';
  const needed = requiredAccess(method, ctx.name, { catalog });
  const realm = auth.realm ?? `${isEncrypted(ctx.req) ? 'https' : 'http'}://${ctx.req.headers.host ?? 'localhost'}${TOKEN_PATH}`;
  const challenge = (error?: 'invalid_token' | 'insufficient_scope') => bearerChallenge(realm, auth.tokens.service, needed, error);
  const token = ctx.req.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (token === undefined) throw unauthorized('authentication required', needed, challenge());
  const verified = auth.tokens.verify(token);
  if (!verified) throw unauthorized('invalid or expired token', needed, challenge('invalid_token'));
  ctx.user = verified.subject;
  const missing = missingAccess(needed, verified.access);
  if (missing.length > 0) {
    const what = missing.map((m) => `${m.type} ${m.name}, action: ${m.actions.join(',')}`).join('; ');
    throw unauthorized(`unauthorized to access ${what}`, needed, challenge('insufficient_scope'));
  }
  dropUnauthorizedMount(ctx, verified.access);
  if (catalog) ctx.mayList = listFilter(auth, verified.subject === undefined ? undefined : auth.accounts.principal(verified.subject));
}

/**
 * A cross-repository mount from a repository the token cannot pull from
 * becomes a plain upload (the spec lets a registry decline a mount), so a
 * blob's presence elsewhere is never revealed.
 */
function dropUnauthorizedMount(ctx: Context, granted: Access[]): void {
  const from = ctx.query.get('from');
  if (ctx.req.method !== 'POST' || from === null || ctx.query.get('mount') === null) return;
  if (missingAccess([{ type: 'repository', name: from, actions: ['pull'] }], granted).length > 0) ctx.query.delete('mount');
}

/**
 * The caller of a request that may come anonymously (/v1/search, which docker
 * sends Basic credentials to, and the management API): Basic credentials, a
 * Bearer token, or nobody. Wrong credentials are an error, not anonymity.
 */
export async function identify(ctx: Context, auth: ConsoleAuth): Promise<Principal | undefined> {
  const header = ctx.req.headers.authorization;
  if (header === undefined) return undefined;
  const basic = basicCredentials(header);
  if (basic) {
    const who = await auth.accounts.authenticate(basic.user, basic.password);
    if (!who) throw new RegistryError('UNAUTHORIZED', 'incorrect username or password');
    return who;
  }
  const token = header.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  const verified = token === undefined ? undefined : auth.tokens.verify(token);
  if (!verified) throw new RegistryError('UNAUTHORIZED', 'invalid or expired token');
  return verified.subject === undefined ? undefined : auth.accounts.principal(verified.subject);
}

/** Whether `who` may see a repository in listings. */
export function listFilter(auth: ConsoleAuth, who: Principal | undefined): (repository: string) => boolean {
  if (who?.kind === 'user' && who.admin) return () => true;
  return (repository) => {
    const name = projectOf(repository);
    const project = name === undefined ? undefined : auth.accounts.project(name);
    return project !== undefined && maySee(who, name!, project);
  };
}

/** distribution's 401: UNAUTHORIZED with the access records as detail, and the challenge. */
function unauthorized(message: string, needed: Access[], challenge: string): RegistryError {
  const records = needed.flatMap((n) => n.actions.map((action) => ({ Type: n.type, Class: '', Name: n.name, Action: action })));
  const detail = records.length > 0 ? records : undefined;
  return new RegistryError('UNAUTHORIZED', message, { detail, headers: { 'WWW-Authenticate': challenge } });
}
