/**
 * Login sessions of the management API (the console's cookie): random IDs
 * kept in memory, so a restart logs everyone out, which is acceptable for a
 * console and keeps no secrets on disk.
 */
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'berth_registry_session';
const SESSION_TTL_MS = 8 * 3600 * 1000;
const MAX_SESSIONS = 10_000;

export class SessionStore {
  private readonly sessions = new Map<string, { subject: string; expires: number }>();

  create(subject: string): string {
    if (this.sessions.size >= MAX_SESSIONS) this.prune();
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, { subject, expires: Date.now() + SESSION_TTL_MS });
    return id;
  }

  /** The subject of a live session, or undefined. */
  subject(id: string): string | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expires < Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session.subject;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of a subject (its account was removed or its password changed). */
  deleteSubject(subject: string): void {
    for (const [id, s] of this.sessions) if (s.subject === subject) this.sessions.delete(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expires < now) this.sessions.delete(id);
    // Still full: drop the oldest (Map keeps insertion order).
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
