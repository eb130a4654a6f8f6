import { invalid, notImplemented, unavailable } from '../../lib/errors.js';
import { go } from '../gojson.js';
import type { Router } from '../router.js';
import { boolParam, decodeBody, EMPTY_BODY, type ApiRequest } from '../request.js';

/** dockerd's answer on a node that is not in a swarm; clients read this 503 as "no swarm here". */
const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

const notManager = () => unavailable(NOT_MANAGER);

/** The swarm objects, with the Go type of their create/update bodies and how dockerd names them in a bad version. */
const OBJECTS = [
  { path: '/nodes', spec: 'swarm.NodeSpec', version: 'node', create: false },
  { path: '/services', spec: 'swarm.ServiceSpec', version: 'service', create: true },
  { path: '/tasks', spec: '', version: '', create: false },
  { path: '/secrets', spec: 'swarm.SecretSpec', version: 'secret', create: true },
  { path: '/configs', spec: 'swarm.ConfigSpec', version: 'config', create: true },
];

/**
 * berthd is never part of a swarm: every swarm endpoint answers as dockerd
 * 20.10 does on a node that has not joined one (503 with its texts), after
 * the same checks of the request dockerd makes first (a body that is not
 * JSON, a missing version), so clients see the same errors in the same order.
 * Creating or joining a swarm is refused as not implemented.
 */
export function swarmRoutes(router: Router): void {
  router.add('GET', '/swarm', async () => {
    throw notManager();
  });
  router.add('GET', '/swarm/unlockkey', async () => {
    throw notManager();
  });
  router.add('POST', '/swarm/leave', async (req) => {
    boolParam(req.query, 'force');
    throw unavailable('This node is not part of a swarm');
  });
  for (const action of ['init', 'join']) {
    router.add('POST', `/swarm/${action}`, async (req) => {
      await specBody(req, `swarm.${action === 'init' ? 'Init' : 'Join'}Request`);
      throw notImplemented(`swarm mode is not supported by berthd: it cannot ${action} a swarm`);
    });
  }
  router.add('POST', '/swarm/update', async (req) => {
    await specBody(req, 'swarm.Spec');
    versionParam(req, (v, why) => `invalid swarm version '${v}': ${why}`);
    throw notManager();
  });
  router.add('POST', '/swarm/unlock', async (req) => {
    await specBody(req, 'swarm.UnlockRequest');
    throw notManager();
  });
  for (const object of OBJECTS) objectRoutes(router, object);
}

function objectRoutes(router: Router, { path, spec, version, create }: (typeof OBJECTS)[number]): void {
  const refuse = async () => {
    throw notManager();
  };
  if (path === '/services' || path === '/tasks') {
    router.add('GET', `${path}/{id}/logs`, async (req) => {
      if (!boolParam(req.query, 'stdout') && !boolParam(req.query, 'stderr')) throw invalid('Bad parameters: you must choose at least one stream');
      throw notManager();
    });
  }
  router.add('GET', path, refuse);
  router.add('GET', `${path}/{id}`, refuse);
  if (!spec) return;
  router.add('DELETE', `${path}/{id}`, refuse);
  if (create) {
    router.add('POST', `${path}/create`, async (req) => {
      await specBody(req, spec);
      throw notManager();
    });
  }
  router.add('POST', `${path}/{id}/update`, async (req) => {
    await specBody(req, spec);
    // secrets and configs say only which version is wrong; nodes and services add strconv's reason.
    const plain = version === 'secret' || version === 'config';
    versionParam(req, (v, why) => (plain ? `invalid ${version} version` : `invalid ${version} version '${v}': ${why}`));
    throw notManager();
  });
}

/** The body is read as dockerd reads it (so malformed JSON is a 400), though nothing is done with it. */
async function specBody(req: ApiRequest, type: string): Promise<void> {
  await decodeBody(req, go.struct(type, {}), EMPTY_BODY, { checkType: false });
}

/** `version` as Go's strconv.ParseUint(v, 10, 64) reads it. */
function versionParam(req: ApiRequest, message: (value: string, why: string) => string): void {
  const value = req.query.get('version') ?? '';
  const why = !/^\d+$/.test(value)
    ? `strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`
    : BigInt(value) > 2n ** 64n - 1n ? `strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range` : undefined;
  if (why) throw invalid(message(value, why));
}
