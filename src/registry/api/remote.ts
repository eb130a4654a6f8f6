/**
 * /api/v1 endpoints for other registries, per project (the admin and the
 * project's admins):
 *
 *   GET|PUT|DELETE /projects/{p}/proxy   {upstream:{url,username,password,insecure}, tag_ttl_seconds, ttl_seconds}  (PUT, DELETE: the admin)
 *     ttl_seconds: how long fetched content is kept (distribution's proxy.ttl, default 168h; 0: for ever)
 *   GET|POST /projects/{p}/replication/rules, GET|PUT|DELETE …/rules/{id}
 *   POST …/rules/{id}/executions   (run now), GET /projects/{p}/replication/executions?rule=
 *
 * Passwords go in, never out: views say `has_password`.
 */
import { EngineError, invalid, notFound } from '../../lib/errors.js';
import type { ProjectRecord } from '../auth/accounts.js';
import { mayManage, maySee } from '../auth/permissions.js';
import { DEFAULT_PROXY_TTL_S, DEFAULT_TAG_TTL_S } from '../config.js';
import { ttlOf } from '../proxy/projects.js';
import { sendEmpty, sendJson } from '../http/context.js';
import { endpointFrom, endpointView } from '../remote/endpoint.js';
import type { RemoteServices } from '../remote/services.js';
import { ruleFrom, ruleView } from '../replication/rules.js';
import { jsonBody, requireAdmin, type ApiRequest } from './http.js';

type Handler = (req: ApiRequest) => Promise<void>;

function managed(req: ApiRequest): { name: string; project: ProjectRecord; remote: RemoteServices } {
  const name = req.params[0]!;
  const project = req.auth.accounts.project(name);
  if (!project || !maySee(req.who, name, project)) throw notFound(`no such project: ${name}`);
  if (!mayManage(req.who, project)) throw new EngineError('forbidden', `only the admin and project admins may manage project ${name}`);
  const remote = req.auth.remote;
  if (!remote) throw new EngineError('notImplemented', 'this registry has no replication or proxy support');
  return { name, project, remote };
}

const getProxy: Handler = async (req) => {
  const { name, remote } = managed(req);
  const proxy = remote.proxies.get(name);
  if (!proxy) throw notFound(`project ${name} is not a proxy cache`);
  sendJson(req.ctx.res, 200, { upstream: endpointView(proxy.upstream), tag_ttl_seconds: proxy.tagTtlSeconds, ttl_seconds: ttlOf(proxy) });
};

const putProxy: Handler = async (req) => {
  const { name, remote } = managed(req);
  requireAdmin(req.who);
  const body = await jsonBody(req.ctx);
  const previous = remote.proxies.get(name);
  const tagTtl = seconds(body, 'tag_ttl_seconds', previous?.tagTtlSeconds ?? DEFAULT_TAG_TTL_S);
  const ttl = seconds(body, 'ttl_seconds', previous ? ttlOf(previous) : DEFAULT_PROXY_TTL_S);
  await remote.proxies.set(name, { upstream: endpointFrom(body.upstream, previous?.upstream), tagTtlSeconds: tagTtl, ttlSeconds: ttl });
  return getProxy(req);
};

function seconds(body: Record<string, unknown>, key: string, fallback: number): number {
  const value = body[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(`${key} must be a whole number of seconds`);
  return value;
}

const deleteProxy: Handler = async (req) => {
  const { name, remote } = managed(req);
  requireAdmin(req.who);
  if (!remote.proxies.get(name)) throw notFound(`project ${name} is not a proxy cache`);
  await remote.proxies.set(name, undefined);
  sendEmpty(req.ctx.res, 204);
};

function ruleOf(req: ApiRequest) {
  const found = managed(req);
  const rule = found.remote.replication.store.rule(found.name, req.params[1]!);
  if (!rule) throw notFound(`no such replication rule: ${req.params[1]}`);
  return { ...found, rule };
}

const listRules: Handler = async (req) => {
  const { name, remote } = managed(req);
  sendJson(req.ctx.res, 200, remote.replication.store.rules(name).map(ruleView));
};

const createRule: Handler = async (req) => {
  const { name, remote } = managed(req);
  const rule = ruleFrom(name, await jsonBody(req.ctx));
  await remote.replication.store.putRule(rule);
  req.ctx.res.setHeader('Location', `/api/v1/projects/${encodeURIComponent(name)}/replication/rules/${rule.id}`);
  sendJson(req.ctx.res, 201, ruleView(rule));
};

const getRule: Handler = async (req) => sendJson(req.ctx.res, 200, ruleView(ruleOf(req).rule));

const updateRule: Handler = async (req) => {
  const { name, remote, rule } = ruleOf(req);
  const next = ruleFrom(name, await jsonBody(req.ctx), rule);
  await remote.replication.store.putRule(next);
  sendJson(req.ctx.res, 200, ruleView(next));
};

const deleteRule: Handler = async (req) => {
  const { remote, rule } = ruleOf(req);
  await remote.replication.store.deleteRule(rule.id);
  sendEmpty(req.ctx.res, 204);
};

const runRule: Handler = async (req) => {
  const { remote, rule } = ruleOf(req);
  sendJson(req.ctx.res, 201, await remote.replication.run(rule));
};

const listExecutions: Handler = async (req) => {
  const { name, remote } = managed(req);
  sendJson(req.ctx.res, 200, remote.replication.store.executions(name, req.ctx.query.get('rule') ?? undefined));
};

/** Spread into the router's table (patterns below /api/v1). */
export const REMOTE_ROUTES: [RegExp, Partial<Record<string, Handler>>][] = [
  [/^\/projects\/([^/]+)\/proxy$/, { GET: getProxy, PUT: putProxy, DELETE: deleteProxy }],
  [/^\/projects\/([^/]+)\/replication\/rules$/, { GET: listRules, POST: createRule }],
  [/^\/projects\/([^/]+)\/replication\/rules\/([^/]+)$/, { GET: getRule, PUT: updateRule, DELETE: deleteRule }],
  [/^\/projects\/([^/]+)\/replication\/rules\/([^/]+)\/executions$/, { POST: runRule }],
  [/^\/projects\/([^/]+)\/replication\/executions$/, { GET: listExecutions }],
];
