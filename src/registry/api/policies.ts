/**
 * /api/v1/projects/{p}/… policies (see ../policies): members read the
 * retention and immutability rules; the admin and project admins change
 * them, run retention, and see and change webhooks (whose URLs and auth
 * headers are theirs to know).
 *
 *   GET|PUT /retention {rules, run_after_push, schedule}   POST /retention/run {dry_run}
 *     (schedule as garbage collection's: {kind: none|interval|daily, hours?, time?}; GET adds next_run)
 *   GET|PUT /immutability {rules}
 *   GET|POST /webhooks, PUT|DELETE /webhooks/{id}   (GET lists the last deliveries of each)
 */
import { randomBytes } from 'node:crypto';
import { EngineError, notFound } from '../../lib/errors.js';
import { principalName } from '../auth/permissions.js';
import { parseSchedule } from '../gc-schedule.js';
import { sendEmpty, sendJson } from '../http/context.js';
import { parseImmutableRules } from '../policies/immutability.js';
import { parseRetentionRules } from '../policies/retention.js';
import type { PolicyService } from '../policies/service.js';
import type { ProjectPolicies } from '../policies/store.js';
import { MAX_WEBHOOKS, parseWebhook, type WebhookConfig } from '../policies/webhook-types.js';
import { jsonBody, requireUser, type ApiRequest } from './http.js';
import { managedProject, visibleProject } from './projects.js';

function service(req: ApiRequest): PolicyService {
  if (!req.auth.policies) throw new EngineError('notImplemented', 'policies are not available');
  return req.auth.policies;
}

/** The project's policies, for a member (or the admin). */
function memberPolicies(req: ApiRequest): ProjectPolicies {
  const project = visibleProject(req);
  const user = requireUser(req.who);
  if (!user.admin && project.members[user.name] === undefined) throw new EngineError('forbidden', `only members see the policies of project ${req.params[0]}`);
  return service(req).policies(req.params[0]!)!;
}

function managedPolicies(req: ApiRequest): ProjectPolicies {
  managedProject(req);
  return service(req).policies(req.params[0]!)!;
}

function retentionView(req: ApiRequest, p: ProjectPolicies) {
  const next = service(req).scheduler.next(req.params[0]!);
  return {
    rules: p.retention.rules,
    run_after_push: p.retention.afterPush,
    schedule: p.retention.schedule ?? { kind: 'none' },
    next_run: next === undefined ? null : new Date(next).toISOString(),
    last_run: p.retention.lastRun ?? null,
  };
}

export async function getRetention(req: ApiRequest): Promise<void> {
  sendJson(req.ctx.res, 200, retentionView(req, memberPolicies(req)));
}

export async function putRetention(req: ApiRequest): Promise<void> {
  const current = managedPolicies(req);
  const body = await jsonBody(req.ctx);
  const rules = body.rules === undefined ? current.retention.rules : parseRetentionRules(body.rules);
  const afterPush = body.run_after_push ?? current.retention.afterPush;
  if (typeof afterPush !== 'boolean') throw new EngineError('invalid', 'run_after_push must be true or false');
  const schedule = body.schedule === undefined ? undefined : parseSchedule(body.schedule);
  const next = await service(req).update(req.params[0]!, (p) => {
    p.retention = { ...p.retention, rules, afterPush };
    // A new schedule counts from now (an interval's first run is N hours away).
    if (schedule) Object.assign(p.retention, { schedule, lastScheduled: Date.now() });
  });
  if (schedule) service(req).scheduler.arm();
  sendJson(req.ctx.res, 200, retentionView(req, next));
}

/** Runs retention now; {dry_run: true} reports what would go and deletes nothing. */
export async function runRetentionNow(req: ApiRequest): Promise<void> {
  managedPolicies(req);
  const body = await jsonBody(req.ctx);
  if (body.dry_run !== undefined && typeof body.dry_run !== 'boolean') throw new EngineError('invalid', 'dry_run must be true or false');
  const report = await service(req).retain(req.params[0]!, { dryRun: body.dry_run === true, trigger: 'manual', operator: principalName(req.who)! });
  sendJson(req.ctx.res, 200, report);
}

export async function getImmutability(req: ApiRequest): Promise<void> {
  sendJson(req.ctx.res, 200, { rules: memberPolicies(req).immutable });
}

export async function putImmutability(req: ApiRequest): Promise<void> {
  managedPolicies(req);
  const rules = parseImmutableRules((await jsonBody(req.ctx)).rules);
  const next = await service(req).update(req.params[0]!, (p) => void (p.immutable = rules));
  sendJson(req.ctx.res, 200, { rules: next.immutable });
}

function webhookView(req: ApiRequest, h: WebhookConfig) {
  const { authHeader, ...rest } = h;
  return { ...rest, has_auth_header: authHeader !== undefined, deliveries: service(req).sender.deliveries(h.id) };
}

export async function listWebhooks(req: ApiRequest): Promise<void> {
  sendJson(req.ctx.res, 200, managedPolicies(req).webhooks.map((h) => webhookView(req, h)));
}

export async function createWebhook(req: ApiRequest): Promise<void> {
  if (managedPolicies(req).webhooks.length >= MAX_WEBHOOKS) throw new EngineError('conflict', `a project has at most ${MAX_WEBHOOKS} webhooks`);
  const hook: WebhookConfig = { id: randomBytes(6).toString('hex'), created: new Date().toISOString(), ...parseWebhook(await jsonBody(req.ctx)) };
  await service(req).update(req.params[0]!, (p) => void p.webhooks.push(hook));
  sendJson(req.ctx.res, 201, webhookView(req, hook));
}

function existingWebhook(policies: ProjectPolicies, req: ApiRequest): WebhookConfig {
  const hook = policies.webhooks.find((h) => h.id === req.params[1]);
  if (!hook) throw notFound(`no webhook ${req.params[1]} in project ${req.params[0]}`);
  return hook;
}

/** Fields left out keep their value; auth_header null removes the header. */
export async function updateWebhook(req: ApiRequest): Promise<void> {
  const old = existingWebhook(managedPolicies(req), req);
  const hook: WebhookConfig = { id: old.id, created: old.created, ...parseWebhook(await jsonBody(req.ctx), old) };
  await service(req).update(req.params[0]!, (p) => void (p.webhooks = p.webhooks.map((h) => (h.id === hook.id ? hook : h))));
  sendJson(req.ctx.res, 200, webhookView(req, hook));
}

export async function deleteWebhook(req: ApiRequest): Promise<void> {
  const hook = existingWebhook(managedPolicies(req), req);
  await service(req).update(req.params[0]!, (p) => void (p.webhooks = p.webhooks.filter((h) => h.id !== hook.id)));
  service(req).sender.forget(hook.id);
  sendEmpty(req.ctx.res, 204);
}
