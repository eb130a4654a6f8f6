import { invalid } from '../../lib/errors.js';
import type { NetworkCreateRequest, NetworkService } from '../../engine/network/types.js';
import type { Router } from '../router.js';
import { filtersParam, jsonBody } from '../request.js';
import { sendEmpty, sendJson } from '../respond.js';
import { networkJson } from './network-json.js';

interface ConnectBody {
  Container?: string;
  EndpointConfig?: { Aliases?: string[]; Links?: string[]; MacAddress?: string; IPAMConfig?: { IPv4Address?: string } };
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
    const body = (await jsonBody<NetworkCreateRequest>(req))!;
    if (!body.Name) throw invalid('network name is required');
    const created = await networks.create(body);
    sendJson(res, 201, { Id: created.id, Warning: created.warning });
  });

  router.add('DELETE', '/networks/{id}', async (req, res) => {
    await networks.remove(req.params.id!);
    sendEmpty(res, 204);
  });

  router.add('POST', '/networks/{id}/connect', async (req, res) => {
    const body = (await jsonBody<ConnectBody>(req))!;
    if (!body.Container) throw invalid('container is required');
    const e = body.EndpointConfig ?? {};
    await networks.connect(req.params.id!, body.Container, {
      aliases: e.Aliases ?? undefined, links: e.Links ?? undefined, macAddress: e.MacAddress || undefined,
      ipv4Address: e.IPAMConfig?.IPv4Address || undefined,
    });
    sendEmpty(res, 200);
  });

  router.add('POST', '/networks/{id}/disconnect', async (req, res) => {
    const body = (await jsonBody<{ Container?: string; Force?: boolean }>(req))!;
    if (!body.Container) throw invalid('container is required');
    await networks.disconnect(req.params.id!, body.Container, !!body.Force);
    sendEmpty(res, 200);
  });

  router.add('POST', '/networks/prune', async (req, res) => {
    sendJson(res, 200, { NetworksDeleted: await networks.prune(filtersParam(req.query)) });
  });
}
