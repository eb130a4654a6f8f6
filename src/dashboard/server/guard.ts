/**
 * Who is asking: the session behind the request's cookie, the user's current
 * role (looked up on every request, so a demotion or removal takes effect at
 * once), and the checks every API route goes through: a session (401), the
 * CSRF token on state-changing methods (403), and the role (403).
 */
import type { IncomingMessage } from 'node:http';
import { roleAllows, type Accounts, type PublicUser, type Role } from './accounts.js';
import { HttpError, sameOrigin } from './http.js';
import { csrfMatches, parseCookies, SESSION_COOKIE, type Session, type SessionStore } from './sessions.js';

export interface Caller {
  token: string;
  session: Session;
  user: PublicUser;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class Guard {
  constructor(private readonly sessions: SessionStore, private readonly accounts: Accounts) {}

  /** The caller of a request, or undefined without a live session of an existing user. */
  caller(req: IncomingMessage): Caller | undefined {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const session = this.sessions.get(token);
    const user = session && this.accounts.get(session.user);
    return token && session && user ? { token, session, user } : undefined;
  }

  /** The caller, refused unless signed in with at least `role` and, for a state-changing method, the CSRF token and same origin. */
  require(req: IncomingMessage, role: Role): Caller {
    const caller = this.caller(req);
    if (!caller) throw new HttpError(401, 'not signed in');
    if (!SAFE_METHODS.has(req.method ?? 'GET') && (!sameOrigin(req) || !csrfMatches(caller.session, req.headers['x-csrf-token']))) {
      throw new HttpError(403, 'missing or wrong CSRF token');
    }
    if (!roleAllows(caller.user.role, role)) throw new HttpError(403, `this needs the ${role} role; ${caller.user.name} is ${caller.user.role}`);
    return caller;
  }
}
