import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryAccess } from './access.js';
import { EndpointResolver } from './endpoints.js';
import { closeIdleConnections } from './transport.js';
import type { RegistrySettings } from './types.js';

const SETTINGS: RegistrySettings = { mirrors: [], insecureRegistries: [], maxConcurrentDownloads: 3, maxConcurrentUploads: 5, certsDirs: [] };
const servers: Server[] = [];
after(() => {
  closeIdleConnections();
  for (const server of servers) server.close();
});

function listen(handler: Parameters<typeof createServer>[1]): Promise<URL> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))));
}

test('a blob redirect to another host is followed without the credentials', async () => {
  const seen: IncomingHttpHeaders[] = [];
  const storage = await listen((req, res) => {
    seen.push(req.headers);
    res.end('blob bytes');
  });
  const registry = await listen((req, res) => {
    if (!req.headers.authorization) return res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
    if (req.url === '/v2/') return res.writeHead(200).end();
    // Storage elsewhere, as S3-backed registries answer blob GETs.
    res.writeHead(307, { Location: `http://localhost:${storage.port}/blob?signed=1` }).end();
  });
  const access = new RegistryAccess(new EndpointResolver(SETTINGS));
  const [endpoint] = await new EndpointResolver(SETTINGS).endpoints(registry.host);
  const repo = access.open({ ...endpoint!, url: new URL(`http://${registry.host}`) }, 'x/y', { username: 'u', password: 'p' }, 'pull');
  const res = await repo.blob(`sha256:${'a'.repeat(64)}`);
  let body = '';
  for await (const chunk of res) body += chunk;
  assert.equal(body, 'blob bytes');
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.authorization, undefined);
});

test('credentials are never sent over plain HTTP to a registry that is not insecure', async () => {
  const registry = await listen((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end());
  const access = new RegistryAccess(new EndpointResolver(SETTINGS));
  // "localhost.test" resolves nowhere, so it is not loopback and not listed: only HTTPS may carry credentials.
  const endpoint = { url: new URL(`http://${registry.host}`), tls: { verify: true }, mirror: false, insecure: false };
  assert.equal(await access.mayCarryCredentials(new URL('http://registry.invalid:5000/')), false);
  assert.equal(await access.mayCarryCredentials(new URL('https://registry.invalid:5000/')), true);
  assert.equal(await access.mayCarryCredentials(new URL(`http://${registry.host}/`)), true, '127.0.0.0/8 is insecure by default');
  const strict = new RegistryAccess(new EndpointResolver(SETTINGS));
  Object.defineProperty(strict, 'mayCarryCredentials', { value: async (url: URL) => url.protocol === 'https:' });
  const repo = strict.open(endpoint, 'x/y', { username: 'u', password: 'p' }, 'pull');
  await assert.rejects(repo.manifest('latest'), /refusing to send credentials to .* over plain HTTP/);
});

test('endpoints: HTTPS only for secure registries; HTTPS then HTTP for insecure ones; mirrors first for Docker Hub', async () => {
  const resolver = new EndpointResolver({ ...SETTINGS, mirrors: ['https://mirror.example:5000'], insecureRegistries: ['insecure.example:5000', '10.1.0.0/16'] });
  assert.deepEqual((await resolver.endpoints('secure.example')).map((e) => e.url.origin), ['https://secure.example']);
  assert.deepEqual((await resolver.endpoints('insecure.example:5000')).map((e) => [e.url.origin, e.tls.verify]), [
    ['https://insecure.example:5000', false],
    ['http://insecure.example:5000', false],
  ]);
  assert.equal(await resolver.isInsecure('10.1.2.3:443'), true);
  assert.equal(await resolver.isInsecure('10.2.2.3:443'), false);
  assert.equal(await resolver.isInsecure('[::1]:5000'), false, 'dockerd does not treat ::1 as insecure by default');
  assert.deepEqual((await resolver.endpoints('docker.io')).map((e) => [e.url.origin, e.mirror]), [
    ['https://mirror.example:5000', true],
    ['https://registry-1.docker.io', false],
  ]);
  assert.throws(() => new EndpointResolver({ ...SETTINGS, mirrors: ['https://m.example/path'] }), /path, query, or fragment/);
  assert.throws(() => new EndpointResolver({ ...SETTINGS, maxConcurrentUploads: 0 }), /invalid max concurrent uploads: 0/);
});
