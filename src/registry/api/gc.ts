/**
 * /api/v1/gc (the admin's): GET the schedule, whether a run is going on and
 * the last runs' reports; POST runs now ({dry_run?, delete_untagged?}) and
 * answers with its report once done; PUT /gc/schedule sets the schedule
 * ({kind: "none"} | {kind: "interval", hours} | {kind: "daily", time: "HH:MM"} in UTC).
 */
import { EngineError } from '../../lib/errors.js';
import type { GcService } from '../gc-service.js';
import { parseSchedule } from '../gc-schedule.js';
import { sendJson } from '../http/context.js';
import { jsonBody, requireAdmin, requireUser, type ApiRequest } from './http.js';

function service(req: ApiRequest): GcService {
  requireAdmin(req.who);
  if (!req.auth.gc) throw new EngineError('notImplemented', 'garbage collection is not available on this registry');
  return req.auth.gc;
}

export async function gcStatus(req: ApiRequest): Promise<void> {
  sendJson(req.ctx.res, 200, service(req).status());
}

export async function runGc(req: ApiRequest): Promise<void> {
  const gc = service(req);
  const body = await jsonBody(req.ctx);
  for (const key of ['dry_run', 'delete_untagged']) {
    if (body[key] !== undefined && typeof body[key] !== 'boolean') throw new EngineError('invalid', `${key} must be true or false`);
  }
  const run = await gc.run(requireUser(req.who).name, { dryRun: body.dry_run === true, deleteUntagged: body.delete_untagged === true });
  sendJson(req.ctx.res, 201, run);
}

export async function setGcSchedule(req: ApiRequest): Promise<void> {
  const gc = service(req);
  await gc.setSchedule(parseSchedule(await jsonBody(req.ctx)));
  sendJson(req.ctx.res, 200, gc.status());
}
