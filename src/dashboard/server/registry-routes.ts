/**
 * Registries: list, add and remove (admin), browse repositories and tags
 * (any session), and pull a tag to a host (operator) through that host's
 * engine, POST /images/create with X-Registry-Auth carrying the stored
 * credentials.
 */
import type { Readable } from 'node:stream';
import { unavailable } from '../../lib/errors.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { readJson, sendJson, type Router } from './http.js';
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
  r.on('POST', `${BASE}/pull`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const body = await readJson(req);
    const registry = store.get(params.name!);
    const live = hosts.get(String(body.host ?? ''));
    const image = `${new URL(registry.url).host}/${checkRepository(body.repository)}`;
    const tag = checkTag(body.tag);
    const progress = await live.engine().pullImage(image, tag, { auth: authOf(registry) });
    const status = await finalStatus(progress);
    live.schedule('summary');
    sendJson(res, 200, { image: `${image}:${tag}`, status });
  });
}

function authOf(r: StoredRegistry) {
  return r.username ? { username: r.username, password: r.password ?? '', serveraddress: new URL(r.url).host } : undefined;
}

/** Reads a pull's JSON progress to the end: its last status, or the error it reported. */
export async function finalStatus(progress: Readable): Promise<string> {
  let buffer = '';
  let last = '';
  for await (const chunk of progress) {
    buffer += (chunk as Buffer).toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of [...lines]) last = checkLine(line) ?? last;
  }
  return checkLine(buffer) ?? last;
}

function checkLine(line: string): string | undefined {
  if (!line.trim()) return undefined;
  const message = JSON.parse(line) as { status?: string; error?: string; errorDetail?: { message?: string } };
  if (message.error || message.errorDetail) throw unavailable(message.errorDetail?.message ?? message.error ?? 'pull failed');
  return message.status;
}
