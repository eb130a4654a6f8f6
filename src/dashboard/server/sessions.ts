/**
 * Login sessions for berth's web consoles. The browser holds a random token
 * in an HttpOnly, SameSite=Strict cookie (Secure over TLS); the server keeps
 * only its SHA-256, so a leaked sessions file opens no session. Each session
 * has its own CSRF token, which every state-changing request must echo in a
 * header. Sessions end after an idle period or an absolute lifetime.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { JsonFile } from './json-file.js';

export interface Session {
  user: string;
  csrf: string;
  created: number;
  seen: number;
}

export interface SessionOptions {
  idleMs?: number;
  lifetimeMs?: number;
  now?: () => number;
}

/** How often (at most) a session's last-seen time is written back. */
const TOUCH_WRITE_MS = 60_000;

export class SessionStore {
  private constructor(
    private readonly file: JsonFile<Record<string, Session>>,
    private readonly sessions: Record<string, Session>,
    private readonly o: Required<SessionOptions>,
  ) {}

  static async open(path: string, o: SessionOptions = {}): Promise<SessionStore> {
    const file = new JsonFile<Record<string, Session>>(path);
    const options = { idleMs: o.idleMs ?? 12 * 3600_000, lifetimeMs: o.lifetimeMs ?? 7 * 24 * 3600_000, now: o.now ?? Date.now };
    return new SessionStore(file, await file.load({}), options);
  }

  /** Starts a session for `user`; returns the token for the cookie. */
  async create(user: string): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.o.now();
    const session: Session = { user, csrf: randomBytes(24).toString('base64url'), created: now, seen: now };
    this.expire(now);
    this.sessions[digest(token)] = session;
    await this.file.save(this.sessions);
    return { token, session };
  }

  /** The live session for a cookie token, or undefined (unknown, idle too long or too old). */
  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const key = digest(token);
    const session = this.sessions[key];
    if (!session) return undefined;
    const now = this.o.now();
    if (this.expired(session, now)) {
      delete this.sessions[key];
      void this.file.save(this.sessions).catch(() => undefined);
      return undefined;
    }
    const stale = now - session.seen > TOUCH_WRITE_MS;
    session.seen = now;
    if (stale) void this.file.save(this.sessions).catch(() => undefined);
    return session;
  }

  async destroy(token: string): Promise<void> {
    delete this.sessions[digest(token)];
    await this.file.save(this.sessions);
  }

  /** Ends every session of `user` (removed, or password changed). */
  async destroyUser(user: string): Promise<void> {
    for (const [key, s] of Object.entries(this.sessions)) if (s.user === user) delete this.sessions[key];
    await this.file.save(this.sessions);
  }

  private expired(s: Session, now: number): boolean {
    return now - s.seen > this.o.idleMs || now - s.created > this.o.lifetimeMs;
  }

  private expire(now: number): void {
    for (const [key, s] of Object.entries(this.sessions)) if (this.expired(s, now)) delete this.sessions[key];
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether the CSRF header a request carries is the session's token (compared in constant time). */
export function csrfMatches(session: Session, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(session.csrf);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const SESSION_COOKIE = 'berth_session';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed cookie is not ours: ignore it.
    }
  }
  return out;
}

/** Set-Cookie for a session token; an empty token with maxAge 0 clears it. */
export function sessionCookie(token: string, secure: boolean, maxAgeSeconds?: number): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
