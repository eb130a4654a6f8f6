/** GET /api/v1/audit-logs: pushes, pulls and deletes, newest first; the admin sees all, a member its projects'. */
import { EngineError } from '../../lib/errors.js';
import { MAX_AUDIT_ENTRIES, type AuditEntry } from '../auth/audit.js';
import { projectOf } from '../auth/permissions.js';
import { sendJson } from '../http/context.js';
import { requireUser, type ApiRequest } from './http.js';

const DEFAULT_LIMIT = 100;

export async function listAuditLogs({ ctx, auth, who }: ApiRequest): Promise<void> {
  const user = requireUser(who);
  const q = ctx.query;
  const limitRaw = q.get('limit');
  const limit = limitRaw === null ? DEFAULT_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_ENTRIES) throw new EngineError('invalid', `limit must be between 1 and ${MAX_AUDIT_ENTRIES}`);
  const project = q.get('project');
  const repository = q.get('repository');
  const operation = q.get('operation');
  const member = (name: string | undefined) => name !== undefined && auth.accounts.project(name)?.members[user.name] !== undefined;
  const keep = (e: AuditEntry) =>
    (user.admin || member(projectOf(e.repository))) &&
    (project === null || projectOf(e.repository) === project) &&
    (repository === null || e.repository === repository) &&
    (operation === null || e.operation === operation);
  sendJson(ctx.res, 200, await auth.audit.read(keep, limit));
}
