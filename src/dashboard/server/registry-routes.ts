/**
 * Registries: list, add and remove (admin), browse repositories and tags
 * (any session), and pull a tag to a host (operator) through that host's
 * engine, POST /images/create with X-Registry-Auth carrying the stored
 * credentials, its progress streamed to the browser line by line.
 */
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { readJson, sendJson, type Router } from './http.js';
import { relayProgress } from './image-routes.js';
import { catalog, checkRepository, checkTag, tags } from './registry-client.js';
import type { RegistryStore, StoredRegistry } from './registry-store.js';

const BASE = '/api/registries/:name';

export function registryRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager, store: RegistryStore): void {
  r.on('GET', '/api/registries', ({ req, res }) => {
    guard.require(req, 'viewer');
    sendJson(res, 200, store.list());
  });
  r.on('POST', '/api/registries', async ({ req, res }) => {
    guard.require(req, 'admin');
    sendJson(res, 201, await store.add(await readJson(req)));
  });
  r.on('DELETE', BASE, async ({ req, res, params }) => {
    guard.require(req, 'admin');
    await store.remove(params.name!);
    sendJson(res, 200, {});
  });
  r.on('GET', `${BASE}/repositories`, async ({ req, res, params, url }) => {
    guard.require(req, 'viewer');
    sendJson(res, 200, await catalog(store.get(params.name!), url.searchParams.get('last') ?? undefined));
  });
  // The repository goes in the query: its name may hold slashes.
  r.on('GET', `${BASE}/tags`, async ({ req, res, params, url }) => {
    guard.require(req, 'viewer');
    sendJson(res, 200, { repository: url.searchParams.get('repository'), tags: await tags(store.get(params.name!), checkRepository(url.searchParams.get('repository'))) });
  });
  // The engine's progress, relayed as the images view's pull relays it.
  r.on('POST', `${BASE}/pull`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const body = await readJson(req);
    const registry = store.get(params.name!);
    const host = String(body.host ?? '');
    const image = `${new URL(registry.url).host}/${checkRepository(body.repository)}`;
    const tag = checkTag(body.tag);
    await relayProgress(hosts, host, res, (client) => client.pullImage(image, tag, { auth: authOf(registry) }));
  });
}

function authOf(r: StoredRegistry) {
  return r.username ? { username: r.username, password: r.password ?? '', serveraddress: new URL(r.url).host } : undefined;
}
