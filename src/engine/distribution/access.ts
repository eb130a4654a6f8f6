import { isEngineError } from '../../lib/errors.js';
import { AuthSession, credentialsOf, repositoryScope, type CredentialPolicy } from './auth.js';
import type { Endpoint, EndpointResolver } from './endpoints.js';
import { Repository } from './repository.js';
import { isNetworkError } from './transport.js';
import type { AuthConfig } from './types.js';

export type Actions = 'pull' | 'pull,push';

/**
 * Opens repositories at a registry's endpoints and runs work against them
 * with dockerd's fallback rules: a mirror that fails in any way gives way to
 * the next endpoint; HTTPS that cannot be spoken to an insecure registry
 * gives way to plain HTTP; other errors (a missing tag, a wrong password) end
 * the attempt, since another endpoint would say the same.
 */
export class RegistryAccess {
  constructor(private readonly resolver: EndpointResolver, private readonly log: (message: string) => void = () => undefined) {}

  /** Credentials travel over HTTPS, or to registries the operator listed as insecure. */
  readonly mayCarryCredentials: CredentialPolicy = async (url) => url.protocol === 'https:' || (await this.resolver.isInsecure(url.host));

  open(endpoint: Endpoint, path: string, auth: AuthConfig | undefined, actions: Actions): Repository {
    const session = new AuthSession(endpoint.url, credentialsOf(auth), this.mayCarryCredentials, endpoint.tls, auth?.registrytoken);
    return new Repository(endpoint, path, session, [repositoryScope(path, actions)], this.mayCarryCredentials);
  }

  async withFallback<T>(
    domain: string, path: string, auth: AuthConfig | undefined, actions: Actions,
    work: (repo: Repository) => Promise<T>, options: { mirrors?: boolean } = {},
  ): Promise<T> {
    const endpoints = (await this.resolver.endpoints(domain)).filter((e) => options.mirrors !== false || !e.mirror);
    let lastError: unknown;
    for (const [i, endpoint] of endpoints.entries()) {
      const last = i === endpoints.length - 1;
      try {
        return await work(this.open(endpoint, path, auth, actions));
      } catch (err) {
        lastError = err;
        if (last || !shouldFallBack(endpoint, err)) throw err;
        this.log(`${endpoint.mirror ? 'mirror' : 'endpoint'} ${endpoint.url.origin} failed for ${path}, trying the next one: ${(err as Error).message}`);
      }
    }
    throw lastError;
  }
}

function shouldFallBack(endpoint: Endpoint, err: unknown): boolean {
  if (endpoint.mirror) return true;
  // An HTTPS endpoint of an insecure registry that answers plain HTTP, or not at all: try http://.
  return endpoint.url.protocol === 'https:' && endpoint.insecure && (isNetworkError(err) || isEngineError(err, 'unavailable'));
}
