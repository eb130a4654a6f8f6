/**
 * The audit log of `--console` mode: one JSON line per push, pull and delete
 * of a manifest (who, when, which repository and reference), appended to
 * <root>/auth/audit.log, and read back newest first for the API. Appends
 * are serialised so lines never interleave.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { Mutex } from '../../lib/mutex.js';
import { isMissing } from '../storage/fs-util.js';

export type AuditOperation = 'push' | 'pull' | 'delete';

export interface AuditEntry {
  time: string;
  operation: AuditOperation;
  /** The login name (robot$… for robots), or "anonymous". */
  user: string;
  repository: string;
  /** The tag or digest the client named. */
  reference: string;
}

export const MAX_AUDIT_ENTRIES = 1000;

export class AuditLog {
  private readonly lock = new Mutex();

  constructor(readonly path: string) {}

  record(entry: Omit<AuditEntry, 'time'>): Promise<void> {
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`;
    return this.lock.run(() => appendFile(this.path, line, { mode: 0o600 }));
  }

  /**
   * The newest entries first, those `keep` accepts, at most `limit`. Read after the appends already
   * queued: an operation is recorded once its answer is sent, so a client's next request (this read)
   * can come while the append is still being written.
   */
  async read(keep: (e: AuditEntry) => boolean, limit: number): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await this.lock.run(() => readFile(this.path, 'utf8'));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const out: AuditEntry[] = [];
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      if (lines[i] === '') continue;
      try {
        const entry = JSON.parse(lines[i]!) as AuditEntry;
        if (keep(entry)) out.push(entry);
      } catch {
        // A line cut short by a crash: skip it.
      }
    }
    return out;
  }
}

/** What a successful /v2/ request is, for the audit log: manifest GETs, PUTs and DELETEs only (HEADs are checks, not pulls). */
export function auditOperation(method: string, path: string): AuditOperation | undefined {
  if (!/\/manifests\/[^/]+$/.test(path)) return undefined;
  if (method === 'GET') return 'pull';
  if (method === 'PUT') return 'push';
  if (method === 'DELETE') return 'delete';
  return undefined;
}
