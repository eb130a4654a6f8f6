import type { ServerResponse } from 'node:http';
import { invalid } from '../../lib/errors.js';
import { fullName, parseNormalizedNamed, parseTag, type Reference } from '../../lib/reference.js';
import type { AuthConfig, DistributionService } from '../../engine/distribution/types.js';
import type { ApiRequest } from '../request.js';
import { decodeBody, filtersParam, intParam, platformParam } from '../request.js';
import { AuthConfig as AuthConfigType } from './body-types.js';
import type { Router } from '../router.js';
import { LazyJsonStream, sendJson } from '../respond.js';

/** Registry credentials headers are small (X-Registry-Config carries one entry per registry); anything larger is refused. */
const AUTH_HEADER_LIMIT = 256 << 10;

/**
 * The registry side of the Engine API: pull (POST /images/create?fromImage=),
 * push, POST /auth and GET /images/search. /images/create is shared with
 * import: the images routes hand fromImage requests to pullRoute.
 */
export function distributionRoutes(router: Router, { distribution }: { distribution: DistributionService }): void {
  router.add('POST', '/images/{name}/push', async (req, res) => {
    req.raw.resume();
    const stream = new LazyJsonStream(res);
    await stream.run(() => distribution.push(req.params.name!, req.query.get('tag') || undefined, {
      auth: registryAuth(req),
      progress: (message) => stream.send(message),
    }));
  });

  router.add('POST', '/auth', async (req, res) => {
    const auth = (await decodeBody<AuthConfig>(req, AuthConfigType, 'EOF', { checkType: false }))!;
    sendJson(res, 200, await distribution.login(auth));
  });

  router.add('GET', '/distribution/{name}/json', async (req, res) => {
    sendJson(res, 200, await distribution.inspect(req.params.name!, registryAuth(req)));
  });

  router.add('GET', '/images/search', async (req, res) => {
    const term = req.query.get('term');
    if (!term) throw invalid('term is required');
    const results = await distribution.search(term, { limit: intParam(req.query, 'limit'), filters: filtersParam(req.query), auth: registryAuth(req) });
    sendJson(res, 200, results);
  });
}

/**
 * POST /images/create?fromImage=name&tag=…: `tag` may be a tag or a digest;
 * an empty tag with a bare name pulls every tag (docker pull -a).
 */
export async function pullRoute(req: ApiRequest, res: ServerResponse, distribution: DistributionService): Promise<void> {
  const { reference, allTags } = pullTarget(req.query.get('fromImage')!, req.query.get('tag') ?? '');
  const platform = platformParam(req, '1.32'); // before any network call, as dockerd
  req.raw.resume(); // nothing is read from the body: let it drain so the connection stays usable
  const stream = new LazyJsonStream(res);
  await stream.run(() => distribution.pull(reference, {
    allTags,
    platform,
    auth: registryAuth(req),
    progress: (message) => stream.send(message),
  }));
}

function pullTarget(fromImage: string, tag: string): { reference: string; allTags: boolean } {
  const ref: Reference = parseNormalizedNamed(fromImage);
  const named = ref.tag !== undefined || ref.digest !== undefined;
  if (tag === '') return { reference: fromImage, allTags: !named };
  // As dockerd (reference.WithTag / WithDigest): the tag parameter replaces a version in fromImage.
  const name = fullName(ref);
  return { reference: tag.includes(':') ? `${name}@${tag}` : `${name}:${parseTag(tag)}`, allTags: false };
}

/** X-Registry-Auth: base64url of a JSON AuthConfig; an empty or unreadable header means anonymous, as in dockerd. */
export function registryAuth(req: ApiRequest): AuthConfig | undefined {
  return decodeRegistryHeader(req.raw.headers['x-registry-auth']) as AuthConfig | undefined;
}

/**
 * The JSON object in a base64url header (X-Registry-Auth, X-Registry-Config),
 * or undefined when it is absent, too large or unreadable (dockerd ignores those).
 */
export function decodeRegistryHeader(header: string | string[] | undefined): object | undefined {
  if (typeof header !== 'string' || header === '' || header.length > AUTH_HEADER_LIMIT) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(header, 'base64').toString()) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
