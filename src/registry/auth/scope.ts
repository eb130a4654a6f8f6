/**
 * Scopes and access records of the registry token spec:
 * "repository:library/busybox:pull,push" asked for at the token endpoint,
 * `access` claims in the token, and the challenge that tells a client which
 * scope a request needs.
 */

export type Action = 'pull' | 'push' | 'delete' | '*';

/** One resource and the actions asked for or granted on it (the token's `access` entries). */
export interface Access {
  type: string;
  name: string;
  actions: string[];
}

/**
 * "type:name:a,b" (several may come space-separated in one parameter, as
 * the OAuth2 POST sends them). The name may itself hold colons (a registry
 * host with a port), so type is the first field and actions the last.
 * Unparseable scopes are dropped, as distribution's token servers do.
 */
export function parseScopes(values: string[]): Access[] {
  const out: Access[] = [];
  for (const raw of values.flatMap((v) => v.split(' '))) {
    const first = raw.indexOf(':');
    const last = raw.lastIndexOf(':');
    if (first <= 0 || last === first) continue;
    const actions = raw.slice(last + 1).split(',').filter((a) => a !== '');
    out.push({ type: raw.slice(0, first), name: raw.slice(first + 1, last), actions });
  }
  return out;
}

export function formatScope(access: Access): string {
  return `${access.type}:${access.name}:${access.actions.join(',')}`;
}

/**
 * What a request on /v2/ needs, as distribution's app decides it: reads need
 * pull, writes pull and push, deletes delete; a cross-repository mount also
 * pull on the source; the catalog "registry:catalog:*". The base /v2/ needs
 * only a valid token (an empty list).
 */
export function requiredAccess(method: string, name: string, options: { catalog?: boolean; mountFrom?: string } = {}): Access[] {
  if (options.catalog) return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  if (name === '') return [];
  let actions: string[];
  if (method === 'GET' || method === 'HEAD') actions = ['pull'];
  else if (method === 'DELETE') actions = ['delete'];
  else actions = ['pull', 'push'];
  const needed: Access[] = [{ type: 'repository', name, actions }];
  if (options.mountFrom !== undefined && options.mountFrom !== name) needed.push({ type: 'repository', name: options.mountFrom, actions: ['pull'] });
  return needed;
}

/** The entries of `needed` that `granted` does not cover ("*" covers every action). */
export function missingAccess(needed: Access[], granted: Access[]): Access[] {
  const out: Access[] = [];
  for (const need of needed) {
    const have = new Set(granted.filter((g) => g.type === need.type && g.name === need.name).flatMap((g) => g.actions));
    const missing = have.has('*') ? [] : need.actions.filter((a) => !have.has(a));
    if (missing.length > 0) out.push({ ...need, actions: missing });
  }
  return out;
}

/**
 * The Bearer challenge distribution sends: realm and service always, the
 * scope the request needed, and error="invalid_token" or "insufficient_scope"
 * when a token came but would not do (RFC 6750).
 */
export function bearerChallenge(realm: string, service: string, needed: Access[], error?: 'invalid_token' | 'insufficient_scope'): string {
  let header = `Bearer realm="${realm}",service="${service}"`;
  if (needed.length > 0) header += `,scope="${needed.map(formatScope).join(' ')}"`;
  if (error) header += `,error="${error}"`;
  return header;
}

/** Validates the parsed `access` claim of a token: anything malformed counts as no access at all. */
export function accessClaim(value: unknown): Access[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (a): a is Access => typeof a?.type === 'string' && typeof a?.name === 'string' && Array.isArray(a?.actions) && a.actions.every((x: unknown) => typeof x === 'string'),
  );
}
