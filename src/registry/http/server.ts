/**
 * The request pipeline: common headers, health, the web page, auth, routing,
 * errors as the spec's JSON, and one access-log line per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errnoCode } from '../../lib/errors.js';
import { RegistryError, registryError } from '../errors.js';
import type { Registry } from '../registry.js';
import { basicCredentials, type Htpasswd } from '../auth/htpasswd.js';
import { API_VERSION_HEADER, sendError, sendJson, type Context } from './context.js';
import { route } from './routes.js';
import { isEncrypted, passwordTransportAllowed } from './transport.js';
import { serveUi } from '../ui/serve.js';
import type { ConsoleAuth } from '../auth/console.js';
import { auditOperation } from '../auth/audit.js';
import { principalName } from '../auth/permissions.js';
import { API_PREFIX, serveApi } from '../api/router.js';
import { authorizeV2, identify, listFilter } from './bearer.js';
import { TOKEN_PATH, tokenEndpoint } from './token.js';
import { interceptProxied, type ProxyResolver } from '../proxy/pull-through.js';

export interface AuthOptions {
  htpasswd: Htpasswd;
  realm: string;
  /** Accept basic auth over plain HTTP from other hosts (it is always accepted over TLS and on loopback). */
  allowPlainHttp: boolean;
}

export interface PipelineOptions {
  registry: Registry;
  auth?: AuthOptions;
  /** --console: accounts, projects and token auth (instead of `auth`). */
  console?: ConsoleAuth;
  /** Accept passwords over plain HTTP from other hosts (the token endpoint, the API). */
  allowPlainHttp?: boolean;
  /** One line per request; undefined turns the access log off. */
  accessLog?: (line: string) => void;
  /** Repositories served from another registry (pull-through cache). */
  proxy?: ProxyResolver;
  /** Errors that are not the client's fault. */
  errorLog: (message: string) => void;
}

export function createRequestListener(options: PipelineOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const ctx: Context = {
      req,
      res,
      path: q < 0 ? target : target.slice(0, q),
      query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
      registry: options.registry,
      name: '',
      params: [],
      remote: req.socket.remoteAddress ?? '-',
    };
    res.setHeader(API_VERSION_HEADER, 'registry/2.0');
    // 'close' comes after 'finish', and also when the client went away mid-response.
    res.once('close', () => options.accessLog?.(accessLine(ctx, started)));
    handle(ctx, options).catch((err: unknown) => fail(ctx, err, options));
  };
}

async function handle(ctx: Context, options: PipelineOptions): Promise<void> {
  const path = ctx.path;
  if (path === '/debug/health') return sendJson(ctx.res, 200, {});
  // `docker search` pings the v1 API first; any answer will do, as with distribution.
  if (path === '/v1/_ping') return sendJson(ctx.res, 200, {}, { 'X-Docker-Registry-Standalone': 'true' });
  // Credentials first: without them a client learns nothing, not even which names are valid.
  if (options.auth) ctx.user = await authenticate(ctx, options.auth);
  if (options.console && path === TOKEN_PATH) return tokenEndpoint(ctx, options.console, options.allowPlainHttp === true);
  if (options.console && (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`))) return serveApi(ctx, options.console);
  const match = path === '/' || path.startsWith('/ui') ? undefined : route(ctx.req.method ?? 'GET', path);
  if (!match) return serveUi(ctx, options.console !== undefined);
  ctx.name = match.name;
  ctx.params = match.params;
  if (options.console) await authorize(ctx, options.console);
  if (options.proxy && (await interceptProxied(ctx, options.proxy))) return;
  await match.handler(ctx);
  if (options.console) await audit(ctx, options.console, options.errorLog);
}

/** /v2/ needs a token; /v1/search takes any caller and shows what it may see. */
async function authorize(ctx: Context, auth: ConsoleAuth): Promise<void> {
  if (!ctx.path.startsWith('/v1/')) return authorizeV2(ctx, auth);
  const who = await identify(ctx, auth);
  ctx.user = principalName(who);
  ctx.mayList = listFilter(auth, who);
}

/** Logs a manifest push, pull or delete that succeeded; a failed write is reported, the request stands. */
async function audit(ctx: Context, auth: ConsoleAuth, errorLog: (message: string) => void): Promise<void> {
  const operation = auditOperation(ctx.req.method ?? 'GET', ctx.path);
  if (!operation || ctx.res.statusCode >= 300) return;
  const entry = { operation, user: ctx.user ?? 'anonymous', repository: ctx.name, reference: ctx.params[0]! };
  // Recorded at once, in the same turn as the answer's end: the client's next request may ask for them.
  const appended = auth.audit.record(entry).catch((err: unknown) => errorLog(`audit log: ${(err as Error).message}`));
  const digest = ctx.digest ?? ctx.res.getHeader('Docker-Content-Digest')?.toString();
  if (operation === 'pull' && digest) auth.pulls.record(ctx.name, digest);
  auth.policies?.record({ ...entry, digest, host: ctx.req.headers.host ?? '' });
  await appended;
}

async function authenticate(ctx: Context, auth: AuthOptions): Promise<string> {
  // The challenge goes on every 401, which is what makes docker login and browsers ask for credentials.
  ctx.res.setHeader('WWW-Authenticate', `Basic realm="${auth.realm.replace(/"/g, '')}"`);
  const credentials = basicCredentials(ctx.req.headers.authorization);
  if (!credentials) throw registryError('UNAUTHORIZED');
  if (!passwordTransportAllowed(isEncrypted(ctx.req), ctx.remote, auth.allowPlainHttp)) {
    throw registryError('DENIED', 'basic auth over plain HTTP is refused from other hosts: serve with TLS (--tls-cert/--tls-key)');
  }
  const user = await auth.htpasswd.verify(credentials.user, credentials.password);
  if (!user) throw registryError('UNAUTHORIZED', 'invalid username or password');
  ctx.res.removeHeader('WWW-Authenticate');
  return user;
}

/** Errors that only mean the client went away. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function fail(ctx: Context, err: unknown, options: PipelineOptions): void {
  if (CLIENT_GONE.has(errnoCode(err) ?? '') || ctx.req.socket.destroyed) {
    ctx.res.destroy();
    return;
  }
  const known = err instanceof RegistryError;
  if (!known) options.errorLog(`${ctx.req.method} ${ctx.path}: ${(err as Error)?.stack ?? String(err)}`);
  const error = known ? err : new RegistryError('UNKNOWN', 'internal server error', { cause: err });
  // The client may still be sending a body we will not read: close rather than drain it.
  const headers: Record<string, string> = ctx.req.complete ? {} : { Connection: 'close' };
  sendError(ctx.res, error, { ...error.headers, ...headers });
}

/** Combined-log-like: remote user [time] "METHOD path" status length duration. */
function accessLine(ctx: Context, started: bigint): string {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const length = ctx.res.getHeader('content-length') ?? '-';
  return `${ctx.remote} ${ctx.user ?? '-'} [${new Date().toISOString()}] "${ctx.req.method} ${ctx.req.url} HTTP/${ctx.req.httpVersion}" ${ctx.res.statusCode} ${length} ${ms.toFixed(1)}ms`;
}
