import type { OutgoingHttpHeaders } from 'node:http';
import { EngineError, invalid } from '../../lib/errors.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { readBody, send, type TlsSettings } from './transport.js';
import type { AuthConfig } from './types.js';

/** A user name and secret, decoded from whichever form the client sent. */
export interface Credentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (docker's identity token) instead of a password. */
  identityToken?: string;
}

/** The credentials in an AuthConfig, or undefined for an anonymous request. */
export function credentialsOf(auth: AuthConfig | undefined): Credentials | undefined {
  if (!auth) return undefined;
  let { username = '', password = '' } = auth;
  if (!username && auth.auth) {
    const decoded = Buffer.from(auth.auth, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalid('invalid auth configuration: "auth" must be base64 of "user:password"');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (auth.identitytoken) return { username, password, identityToken: auth.identitytoken };
  return username || password ? { username, password } : undefined;
}

/** Decides whether a URL may carry credentials: HTTPS, or a registry listed as insecure. */
export type CredentialPolicy = (url: URL) => Promise<boolean>;

const TOKEN_LIMIT = 1 << 20;
/** Tokens are renewed this long before they expire. */
const EXPIRY_MARGIN_MS = 10_000;

interface CachedToken {
  token: string;
  expires: number;
  refreshToken?: string;
}

/**
 * Authorisation for one registry endpoint, following its challenge: Basic
 * credentials as they are, or Bearer tokens fetched from the challenge's realm
 * for each scope ("repository:library/busybox:pull"), anonymously or with
 * credentials, and cached until they expire.
 */
export class AuthSession {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  /** Set by a login that asked for an offline token. */
  refreshToken: string | undefined;

  constructor(
    private readonly registry: URL,
    private readonly credentials: Credentials | undefined,
    private readonly mayCarryCredentials: CredentialPolicy,
    private readonly tls: TlsSettings,
    private readonly registryTokenValue?: string,
  ) {}

  /** True once a challenge has been seen (or a bearer token was given). */
  get challenged(): boolean {
    return this.challenge !== undefined || this.registryTokenValue !== undefined;
  }

  /** Records the challenge of a 401 answer; false when it offers no scheme we speak. */
  learn(wwwAuthenticate: string | string[] | undefined): boolean {
    const challenges = parseChallenges(wwwAuthenticate);
    const usable = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!usable) return false;
    this.challenge = usable;
    this.tokens.clear();
    return true;
  }

  /** The Authorization header for a request needing `scopes`, if any. */
  async headers(scopes: string[], options: { offline?: boolean } = {}): Promise<OutgoingHttpHeaders> {
    if (this.registryTokenValue) return { Authorization: `Bearer ${this.registryTokenValue}` };
    const challenge = this.challenge;
    if (!challenge) return {};
    if (challenge.scheme === 'basic') {
      const creds = this.credentials;
      // 'internal' (500) as dockerd answers: a 401 would make the docker CLI prompt for a login.
      if (!creds) throw new EngineError('internal', 'no basic auth credentials');
      if (!(await this.mayCarryCredentials(this.registry))) throw plainHttpRefusal(this.registry);
      return { Authorization: basic(creds.username, creds.password) };
    }
    const token = await this.bearerToken(challenge, scopes, options.offline === true);
    return { Authorization: `Bearer ${token}` };
  }

  private async bearerToken(challenge: Challenge, scopes: string[], offline: boolean): Promise<string> {
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expires > Date.now() + EXPIRY_MARGIN_MS) return cached.token;
    const fetched = await this.fetchToken(challenge, scopes, offline);
    this.tokens.set(key, fetched);
    if (fetched.refreshToken) this.refreshToken = fetched.refreshToken;
    return fetched.token;
  }

  /** The token spec's GET (Basic or anonymous) or, with a refresh token, the OAuth2 POST. */
  private async fetchToken(challenge: Challenge, scopes: string[], offline: boolean): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm) throw invalid('the registry sent a Bearer challenge without a realm');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw invalid(`the registry's token realm ${JSON.stringify(realm)} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`unsupported token realm scheme ${url.protocol}`);
    const service = challenge.params.service;
    const creds = this.credentials;
    if (creds && !(await this.mayCarryCredentials(url))) throw plainHttpRefusal(url);
    if (creds?.identityToken) return this.postRefreshToken(url, service, scopes, creds.identityToken);
    if (service) url.searchParams.set('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: OutgoingHttpHeaders = {};
    if (creds) {
      headers.Authorization = basic(creds.username, creds.password);
      if (offline) {
        url.searchParams.set('offline_token', 'true');
        url.searchParams.set('client_id', 'docker');
      }
    }
    const res = await send({ method: 'GET', url, headers, tls: this.tlsFor(url) });
    return this.readToken(res, url);
  }

  private async postRefreshToken(url: URL, service: string | undefined, scopes: string[], refreshToken: string): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'docker' });
    if (service) form.set('service', service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    const body = Buffer.from(form.toString());
    const res = await send({ method: 'POST', url, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }, body, tls: this.tlsFor(url) });
    return this.readToken(res, url);
  }

  private async readToken(res: import('node:http').IncomingMessage, url: URL): Promise<CachedToken> {
    if (res.statusCode !== 200) {
      const text = (await readBody(res, 64 << 10, 'token error').catch(() => Buffer.alloc(0))).toString();
      const detail = tokenErrorDetail(text) ?? `unexpected status: ${res.statusCode}`;
      if (res.statusCode === 401 || res.statusCode === 403) throw new TokenRefused(`Get "${withoutQuery(url)}": ${detail}`);
      throw new EngineError('unavailable', `Get "${withoutQuery(url)}": ${detail}`);
    }
    const body = await readBody(res, TOKEN_LIMIT, 'token response');
    let parsed: { token?: string; access_token?: string; expires_in?: number; issued_at?: string; refresh_token?: string };
    try {
      parsed = JSON.parse(body.toString());
    } catch {
      throw invalid(`the token server at ${withoutQuery(url)} did not answer with JSON`);
    }
    const token = parsed.token || parsed.access_token;
    if (!token) throw invalid(`the token server at ${withoutQuery(url)} returned no token`);
    // The spec's default lifetime is 60 seconds.
    const lifetime = (parsed.expires_in && parsed.expires_in > 0 ? parsed.expires_in : 60) * 1000;
    const issued = parsed.issued_at ? Date.parse(parsed.issued_at) : NaN;
    return { token, expires: (Number.isNaN(issued) ? Date.now() : issued) + lifetime, refreshToken: parsed.refresh_token };
  }

  /** The token server may be another host: it gets the registry's TLS settings only if it is the same host. */
  private tlsFor(url: URL): TlsSettings {
    return url.host === this.registry.host ? this.tls : { verify: true };
  }
}

/**
 * The token server refused the credentials. A 500 for pulls and pushes, as
 * dockerd answers (a 401 would make the docker CLI prompt for a login);
 * login turns it into 401.
 */
export class TokenRefused extends EngineError {
  constructor(message: string) {
    super('internal', message);
  }
}

/** The scope to pull from, and to push to, a repository. */
export function repositoryScope(path: string, actions: 'pull' | 'pull,push'): string {
  return `repository:${path}:${actions}`;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function plainHttpRefusal(url: URL): EngineError {
  return new EngineError('forbidden', `refusing to send credentials to ${url.host} over plain HTTP: the registry is not listed in insecure-registries`);
}

function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The token server's reason ("incorrect username or password"), from either error body shape. */
function tokenErrorDetail(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[]; details?: string; error?: string };
    const first = parsed.errors?.[0];
    if (first) return `${String(first.code ?? 'unauthorized').toLowerCase().replaceAll('_', ' ')}: ${first.message ?? ''}`;
    return parsed.details ?? parsed.error;
  } catch {
    return text.trim() ? text.trim().slice(0, 200) : undefined;
  }
}
