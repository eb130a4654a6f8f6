/**
 * The token server of the registry token spec, built into the registry: it
 * turns credentials (or none) and the scopes a client asks for into a signed
 * JWT granting the intersection of what was asked and what is allowed, and
 * checks the tokens /v2/ requests bring. Refresh tokens (docker's "identity
 * token") are JWTs too, bound to the password they were issued for.
 */
import { randomBytes } from 'node:crypto';
import type { AccountStore } from './accounts.js';
import { signJwt, verifyJwt, type SigningKey } from './jwt.js';
import { principalName, projectActions, projectOf, ROBOT_ACTIONS, type Principal } from './permissions.js';
import { accessClaim, type Access } from './scope.js';

export const SERVICE = 'berth-registry';
export const ISSUER = 'berth-registry-token-issuer';
export const DEFAULT_TOKEN_TTL_S = 300;
const REFRESH_TTL_S = 30 * 24 * 3600;
/**
 * No clock-skew leeway (distribution allows 60 s for a separate token
 * server): the same process and clock issue and check these tokens.
 */

export interface IssuedToken {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
  refresh_token?: string;
}

/** A checked access token: who it was for (undefined: anonymous) and what it grants. */
export interface VerifiedToken {
  subject: string | undefined;
  access: Access[];
}

export class TokenService {
  constructor(
    private readonly key: SigningKey,
    readonly accounts: AccountStore,
    readonly ttlSeconds = DEFAULT_TOKEN_TTL_S,
    /** The `service` of challenges and the tokens' audience (--token-service, for a registry known by another name). */
    readonly service = SERVICE,
  ) {}

  /** What `who` gets of `requested`: each asked-for action it is allowed, entries with none left out. */
  grant(who: Principal | undefined, requested: Access[]): Access[] {
    const out: Access[] = [];
    for (const want of requested) {
      const actions = this.allowed(who, want).filter((a) => want.actions.includes(a) || want.actions.includes('*'));
      if (actions.length > 0) out.push({ type: want.type, name: want.name, actions: want.actions.includes('*') && actions.length === 3 ? ['*'] : actions });
    }
    return out;
  }

  private allowed(who: Principal | undefined, want: Access): string[] {
    // Everyone may list the catalog: it shows each caller only what it may see.
    if (want.type === 'registry' && want.name === 'catalog') return ['*'];
    if (want.type !== 'repository') return [];
    const project = projectOf(want.name);
    if (project === undefined) return who?.kind === 'user' && who.admin ? [...ROBOT_ACTIONS] : [];
    return [...projectActions(who, project, this.accounts.project(project))];
  }

  issue(who: Principal | undefined, requested: Access[], options: { offline?: boolean; now?: number } = {}): IssuedToken {
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const subject = principalName(who) ?? '';
    const claims = { iss: ISSUER, sub: subject, aud: this.service, exp: now + this.ttlSeconds, nbf: now - 1, iat: now, jti: randomBytes(12).toString('base64url'), access: this.grant(who, requested) };
    const token = signJwt(claims, this.key);
    const issued: IssuedToken = { token, access_token: token, expires_in: this.ttlSeconds, issued_at: new Date(now * 1000).toISOString() };
    if (options.offline && who) issued.refresh_token = this.refreshToken(who, now);
    return issued;
  }

  private refreshToken(who: Principal, now: number): string {
    const stamp = this.accounts.credentialStamp(principalName(who)!);
    return signJwt({ iss: ISSUER, sub: principalName(who), aud: `${this.service}/refresh`, exp: now + REFRESH_TTL_S, iat: now, stamp }, this.key);
  }

  /** The principal a refresh token stands for, while its account exists and its password is unchanged. */
  redeemRefreshToken(token: string): Principal | undefined {
    const claims = this.checked(token, `${this.service}/refresh`);
    if (!claims || typeof claims.sub !== 'string') return undefined;
    const who = this.accounts.principal(claims.sub);
    if (!who || this.accounts.credentialStamp(claims.sub) !== claims.stamp) return undefined;
    return who;
  }

  /** An access token's subject and grants, or undefined when it is not one of ours, expired, or for another service. */
  verify(token: string): VerifiedToken | undefined {
    const claims = this.checked(token, this.service);
    if (!claims || typeof claims.sub !== 'string') return undefined;
    return { subject: claims.sub === '' ? undefined : claims.sub, access: accessClaim(claims.access) };
  }

  private checked(token: string, audience: string): Record<string, unknown> | undefined {
    const claims = verifyJwt(token, this.key);
    if (!claims || claims.iss !== ISSUER) return undefined;
    const aud = claims.aud;
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) return undefined;
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    if (typeof claims.nbf === 'number' && claims.nbf > now) return undefined;
    return claims;
  }
}
