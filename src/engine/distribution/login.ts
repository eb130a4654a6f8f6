import { STATUS_CODES } from 'node:http';
import { EngineError, invalid } from '../../lib/errors.js';
import { goUrlParseError } from '../../lib/go-url.js';
import type { RegistryAccess } from './access.js';
import { AuthSession, credentialsOf, TokenRefused } from './auth.js';
import { HUB_DOMAIN, type Endpoint, type EndpointResolver } from './endpoints.js';
import { discard, isNetworkError, send } from './transport.js';
import type { AuthConfig } from './types.js';

/** The registry host a login names: Docker Hub for "", "docker.io" and its index URLs. */
export function loginDomain(serverAddress: string | undefined): string {
  const address = (serverAddress ?? '').trim();
  if (address === '') return HUB_DOMAIN;
  // As dockerd's registry service: the address is parsed as a URL (https:// unless it says http://) before anything else.
  const problem = goUrlParseError(/^https?:\/\//.test(address) ? address : `https://${address}`);
  if (problem) throw invalid(`unable to parse server address: ${problem}`);
  const host = address.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
  if (host === '') throw invalid(`invalid registry address ${JSON.stringify(serverAddress)}`);
  return ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host) ? HUB_DOMAIN : host;
}

/**
 * POST /auth: checks credentials as `docker login` does, by asking the
 * registry's /v2/ what it wants and then giving it: Basic credentials, or a
 * token request to the challenge's realm (asking for a refresh token, which
 * becomes the IdentityToken the client may store instead of the password).
 */
export async function login(resolver: EndpointResolver, access: RegistryAccess, auth: AuthConfig): Promise<{ Status: string; IdentityToken?: string }> {
  const domain = loginDomain(auth.serveraddress);
  const credentials = credentialsOf(auth);
  if (!credentials) throw invalid('Error: Cannot perform an interactive login from a non TTY device');
  const endpoints = (await resolver.endpoints(domain)).filter((e) => !e.mirror);
  for (const [i, endpoint] of endpoints.entries()) {
    try {
      return await loginAt(endpoint, access, auth);
    } catch (err) {
      if (i === endpoints.length - 1 || !isNetworkError(err)) throw err;
    }
  }
  throw invalid('no registry endpoint to log in to');
}

async function loginAt(endpoint: Endpoint, access: RegistryAccess, auth: AuthConfig): Promise<{ Status: string; IdentityToken?: string }> {
  const url = new URL('/v2/', endpoint.url);
  const first = await send({ method: 'GET', url, tls: endpoint.tls });
  discard(first);
  if (first.statusCode === 200) return { Status: 'Login Succeeded' };
  const session = new AuthSession(endpoint.url, credentialsOf(auth), access.mayCarryCredentials, endpoint.tls);
  if (first.statusCode !== 401 || !session.learn(first.headers['www-authenticate'])) throw failed(url, first.statusCode);
  // For Bearer this fetches a token with the credentials (asking for a refresh token); for Basic it only builds the header.
  const headers = await session.headers([], { offline: true }).catch((err: unknown) => {
    throw err instanceof TokenRefused ? new EngineError('unauthorized', err.message) : err;
  });
  const second = await send({ method: 'GET', url, headers, tls: endpoint.tls });
  discard(second);
  if (second.statusCode !== 200) throw failed(url, second.statusCode);
  return session.refreshToken ? { Status: 'Login Succeeded', IdentityToken: session.refreshToken } : { Status: 'Login Succeeded' };
}

function failed(url: URL, status: number | undefined): EngineError {
  const kind = status === 401 || status === 403 ? 'unauthorized' : 'unavailable';
  return new EngineError(kind, `login attempt to ${url.href} failed with status: ${status} ${STATUS_CODES[status ?? 0] ?? ''}`.trim());
}
