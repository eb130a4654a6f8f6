/**
 * Creating and removing networks and volumes on one host (operator role).
 * Only the form's shape is checked here: names, drivers and subnets are the
 * engine's to judge, and its refusal (a network in use, a name taken) goes
 * back to the browser as the engine words it.
 */
import type { NetworkCreateOptions, VolumeCreateOptions } from '../../client/index.js';
import { invalid } from '../../lib/errors.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { readJson, sendJson, type Router } from './http.js';

/** A trimmed string field, or undefined when absent or empty. */
function text(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  return value.trim() || undefined;
}

/** CheckDuplicate as docker network create sends it: without it dockerd 20.10 makes a second network of the same name. */
type NetworkCreate = NetworkCreateOptions & { CheckDuplicate: boolean };

export function networkRequest(body: Record<string, unknown>): NetworkCreate {
  const name = text(body, 'name');
  if (!name) throw invalid('a network needs a name');
  const subnet = text(body, 'subnet');
  const gateway = text(body, 'gateway');
  if (gateway && !subnet) throw invalid('a gateway needs a subnet');
  return {
    Name: name,
    CheckDuplicate: true,
    ...(text(body, 'driver') ? { Driver: text(body, 'driver') } : {}),
    ...(body.internal === true || body.internal === 'on' ? { Internal: true } : {}),
    ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet, ...(gateway ? { Gateway: gateway } : {}) }] } } : {}),
  };
}

export function volumeRequest(body: Record<string, unknown>): VolumeCreateOptions {
  const name = text(body, 'name');
  const driver = text(body, 'driver');
  return { ...(name ? { Name: name } : {}), ...(driver ? { Driver: driver } : {}) };
}

export function resourceActionRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  r.on('POST', '/api/hosts/:host/networks', async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const spec = networkRequest(await readJson(req));
    const created = await hosts.get(params.host!).engine().createNetwork(spec);
    sendJson(res, 201, { id: created.Id, name: spec.Name, warning: created.Warning ?? '' });
  });
  r.on('DELETE', '/api/hosts/:host/networks/:id', async ({ req, res, params }) => {
    guard.require(req, 'operator');
    await hosts.get(params.host!).engine().removeNetwork(params.id!);
    sendJson(res, 200, {});
  });
  r.on('POST', '/api/hosts/:host/volumes', async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const created = await hosts.get(params.host!).engine().createVolume(volumeRequest(await readJson(req)));
    sendJson(res, 201, { name: created.Name });
  });
  r.on('DELETE', '/api/hosts/:host/volumes/:name', async ({ req, res, params, url }) => {
    guard.require(req, 'operator');
    await hosts.get(params.host!).engine().removeVolume(params.name!, url.searchParams.get('force') === '1');
    sendJson(res, 200, {});
  });
}
