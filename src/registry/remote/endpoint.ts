/**
 * Another registry as the API takes it and shows it: a URL and optional
 * credentials. The password is write-only: views say whether one is set.
 */
import { invalid } from '../../lib/errors.js';
import { RemoteRegistry } from './client.js';

export interface Endpoint {
  url: string;
  username?: string;
  password?: string;
  /** Accept a TLS certificate that does not verify. */
  insecure?: boolean;
}

/** An endpoint from a JSON body; `previous` keeps its password when the body sends none with the same user. */
export function endpointFrom(body: unknown, previous?: Endpoint): Endpoint {
  if (typeof body !== 'object' || body === null) throw invalid('the registry must be an object {url, username, password, insecure}');
  const b = body as Record<string, unknown>;
  const url = b.url;
  if (typeof url !== 'string' || !/^https?:\/\/[^/\s]+\/?$/.test(url)) throw invalid(`url must be http(s)://host[:port], not ${JSON.stringify(url)}`);
  for (const key of ['username', 'password']) {
    if (b[key] !== undefined && typeof b[key] !== 'string') throw invalid(`${key} must be a string`);
  }
  if (b.insecure !== undefined && typeof b.insecure !== 'boolean') throw invalid('insecure must be true or false');
  const username = (b.username as string | undefined) || undefined;
  const keep = previous && previous.username === username && b.password === undefined;
  const password = keep ? previous.password : (b.password as string | undefined);
  return { url: url.replace(/\/$/, ''), ...(username ? { username } : {}), ...(password ? { password } : {}), ...(b.insecure ? { insecure: true } : {}) };
}

export function endpointView(e: Endpoint): { url: string; username: string | null; has_password: boolean; insecure: boolean } {
  return { url: e.url, username: e.username ?? null, has_password: e.password !== undefined, insecure: e.insecure === true };
}

export function clientFor(e: Endpoint): RemoteRegistry {
  return new RemoteRegistry({ url: e.url, username: e.username, password: e.password, insecure: e.insecure });
}
