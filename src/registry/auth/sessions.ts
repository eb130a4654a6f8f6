/**
 * Login sessions of the management API (the console's cookie). They are kept
 * in auth/sessions.json (0600) so a registry restart or upgrade does not sign
 * everyone out. The file holds only the SHA-256 of each session ID: a copy of
 * it opens no session. A session ends after an idle period or an absolute
 * lifetime, whichever comes first; expired ones are dropped on load and when
 * the store is written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic.js';
import { invalid } from '../../lib/errors.js';
import { Mutex } from '../../lib/mutex.js';
import { isMissing } from '../storage/fs-util.js';

export const SESSION_COOKIE = 'berth_registry_session';
const IDLE_MS = 8 * 3600 * 1000;
const LIFETIME_MS = 7 * 24 * 3600 * 1000;
const MAX_SESSIONS = 10_000;
/** Last-seen times are written back at most this often per session (a GET must not rewrite the file). */
const TOUCH_WRITE_MS = 60_000;

export interface SessionRecord {
  subject: string;
  created: number;
  seen: number;
}

export interface SessionTimes {
  idleMs: number;
  lifetimeMs: number;
  now: () => number;
}

export class SessionStore {
  private readonly lock = new Mutex();

  private constructor(
    private readonly path: string | undefined,
    private readonly sessions: Map<string, SessionRecord>,
    private readonly times: SessionTimes,
  ) {}

  /** Opens the file (none yet: no sessions); without a path, sessions live in memory only. */
  static async open(path: string | undefined, times: Partial<SessionTimes> = {}): Promise<SessionStore> {
    const t: SessionTimes = { idleMs: times.idleMs ?? IDLE_MS, lifetimeMs: times.lifetimeMs ?? LIFETIME_MS, now: times.now ?? Date.now };
    const store = new SessionStore(path, new Map(), t);
    if (path === undefined) return store;
    let saved: Record<string, SessionRecord> = {};
    try {
      saved = JSON.parse(await readFile(path, 'utf8')) as Record<string, SessionRecord>;
    } catch (err) {
      // A damaged file costs a sign-in, not the registry's start.
      if (!isMissing(err) && !(err instanceof SyntaxError)) throw invalid(`cannot read ${path}: ${(err as Error).message}`, err);
    }
    const now = t.now();
    for (const [key, s] of Object.entries(saved)) {
      if (isRecord(s) && !store.expired(s, now)) store.sessions.set(key, s);
    }
    return store;
  }

  /** Starts a session; returns the ID for the cookie (only its hash is kept). */
  async create(subject: string): Promise<string> {
    const now = this.times.now();
    this.prune(now);
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(digest(id), { subject, created: now, seen: now });
    await this.save();
    return id;
  }

  /** The subject of a live session, or undefined (unknown, idle too long, or too old). */
  subject(id: string): string | undefined {
    const key = digest(id);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const now = this.times.now();
    if (this.expired(session, now)) {
      this.sessions.delete(key);
      this.saveLater();
      return undefined;
    }
    const stale = now - session.seen > TOUCH_WRITE_MS;
    session.seen = now;
    if (stale) this.saveLater();
    return session.subject;
  }

  async delete(id: string): Promise<void> {
    if (this.sessions.delete(digest(id))) await this.save();
  }

  /** Ends every session of a subject (its account was removed or its password changed). */
  async deleteSubject(subject: string): Promise<void> {
    let changed = false;
    for (const [key, s] of this.sessions) {
      if (s.subject === subject) changed = this.sessions.delete(key);
    }
    if (changed) await this.save();
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: SessionRecord, now: number): boolean {
    return now - s.seen > this.times.idleMs || now - s.created > this.times.lifetimeMs;
  }

  private prune(now: number): void {
    for (const [key, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(key);
    // Still full: drop the oldest (a Map keeps insertion order).
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** Writes the live sessions; writes are serialised so an older state never lands last. */
  private save(): Promise<void> {
    const path = this.path;
    if (path === undefined) return Promise.resolve();
    return this.lock.run(() => {
      this.prune(this.times.now());
      return writeFileAtomic(path, `${JSON.stringify(Object.fromEntries(this.sessions))}\n`, 0o600);
    });
  }

  /** A write nobody waits for (a read that touched or expired a session): a failure only costs that touch. */
  private saveLater(): void {
    this.save().catch(() => undefined);
  }
}

function isRecord(s: unknown): s is SessionRecord {
  const r = s as SessionRecord;
  return typeof r === 'object' && r !== null && typeof r.subject === 'string' && typeof r.created === 'number' && typeof r.seen === 'number';
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
