import { invalid } from '../../lib/errors.js';
import { endpointRequestOf, type DockerEndpointSettings, type NetworkCreateRequest, type NetworkService } from '../../engine/network/types.js';
import type { Router } from '../router.js';
import { decodeBody, filtersParam, versionLess } from '../request.js';
import { NetworkConnect, NetworkCreateRequest as NetworkCreateType, NetworkDisconnect } from './body-types.js';
import { sendEmpty, sendJson } from '../respond.js';
import { networkJson } from './network-json.js';

interface ConnectBody {
  Container?: string;
  EndpointConfig?: DockerEndpointSettings | null;
}

/** /networks: list, inspect, create, remove, connect, disconnect, prune (Docker's shapes). */
export function networkRoutes(router: Router, { networks }: { networks: NetworkService }): void {
  router.add('GET', '/networks', async (req, res) => {
    const list = await networks.list(filtersParam(req.query));
    sendJson(res, 200, list.map((n) => networkJson(n, false)));
  });

  router.add('GET', '/networks/{id}', async (req, res) => {
    sendJson(res, 200, networkJson(await networks.inspect(req.params.id!), true));
  });

  router.add('POST', '/networks/create', async (req, res) => {
    const body = (await decodeBody<NetworkCreateRequest>(req, NetworkCreateType))!;
    if (!body.Name) throw invalid('invalid name: ');
    // dockerd 20.10 (API ≤ 1.41) makes a duplicate name unless asked to check; from API 1.44 the check is always on, unless a client says false.
    const created = await networks.create({ ...body, CheckDuplicate: body.CheckDuplicate ?? !versionLess(req.version, '1.44') });
    sendJson(res, 201, { Id: created.id, Warning: created.warning });
  });

  router.add('DELETE', '/networks/{id}', async (req, res) => {
    await networks.remove(req.params.id!);
    sendEmpty(res, 204);
  });

  router.add('POST', '/networks/{id}/connect', async (req, res) => {
    const body = (await decodeBody<ConnectBody>(req, NetworkConnect))!;
    if (!body.Container) throw noContainer();
    await networks.connect(req.params.id!, body.Container, endpointRequestOf(body.EndpointConfig));
    sendEmpty(res, 200);
  });

  router.add('POST', '/networks/{id}/disconnect', async (req, res) => {
    const body = (await decodeBody<{ Container?: string; Force?: boolean }>(req, NetworkDisconnect))!;
    if (!body.Container) throw noContainer();
    await networks.disconnect(req.params.id!, body.Container, !!body.Force);
    sendEmpty(res, 200);
  });

  router.add('POST', '/networks/prune', async (req, res) => {
    const deleted = await networks.prune(filtersParam(req.query));
    sendJson(res, 200, { NetworksDeleted: deleted.length > 0 ? deleted : null }); // null when none, as dockerd (a nil slice)
  });
}

/** dockerd looks the container up by the empty name and says so, before it looks at the network. */
function noContainer(): Error {
  return invalid('invalid name or ID supplied: ""');
}
