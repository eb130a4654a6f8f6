import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog, checkRegistryUrl, checkRepository, parseChallenge, tags } from './registry-client.js';
import { RegistryStore } from './registry-store.js';

test('WWW-Authenticate challenges: quoted, escaped and bare values', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'),
    { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' } });
  assert.deepEqual(parseChallenge('Basic realm="say \\"hi\\""'), { scheme: 'basic', params: { realm: 'say "hi"' } });
  assert.deepEqual(parseChallenge('Bearer realm=/token, service=svc'), { scheme: 'bearer', params: { realm: '/token', service: 'svc' } });
  assert.equal(parseChallenge(null), undefined);
});

test('registry URLs: scheme, host and port only; https by default', () => {
  assert.equal(checkRegistryUrl('http://127.0.0.1:5000/'), 'http://127.0.0.1:5000');
  assert.equal(checkRegistryUrl('registry.example'), 'https://registry.example');
  for (const bad of ['', 'ftp://x', 'http://u:p@x', 'http://x/v2/', 'http://x?a=1', 42]) assert.throws(() => checkRegistryUrl(bad), { kind: 'invalid' }, String(bad));
  assert.equal(checkRepository('ns/busy-box_1'), 'ns/busy-box_1');
  for (const bad of ['Ns/x', '../x', 'a//b', '/a', 'a/']) assert.throws(() => checkRepository(bad), { kind: 'invalid' }, bad);
});

/** A registry that wants a Bearer token from its /token realm, which wants Basic alice:secret. */
let server: Server;
let base: string;
const seen: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname}${url.search} ${req.headers.authorization ?? '-'}`);
    if (url.pathname === '/token') {
      if (req.headers.authorization !== `Basic ${Buffer.from('alice:secret').toString('base64')}`) return void res.writeHead(401).end();
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `tok:${url.searchParams.get('scope')}` }));
    }
    const scope = url.pathname === '/v2/_catalog' ? 'registry:catalog:*' : `repository:${url.pathname.slice(4).replace(/\/tags\/list$/, '')}:pull`;
    if (req.headers.authorization !== `Bearer tok:${scope}`) {
      return void res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${base}/token",service="test",scope="${scope}"` }).end('{}');
    }
    if (url.pathname === '/v2/_catalog') {
      const all = ['a/one', 'b', 'c'];
      const last = url.searchParams.get('last');
      const page = all.filter((r) => !last || r > last).slice(0, Number(url.searchParams.get('n')));
      const more = page.length && page[page.length - 1] !== all[all.length - 1];
      return void res.writeHead(200, { 'Content-Type': 'application/json', ...(more ? { Link: '</v2/_catalog?n=2>; rel="next"' } : {}) }).end(JSON.stringify({ repositories: page }));
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name: 'a/one', tags: ['2', '1', 'latest'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('Bearer: a token for the challenge\'s scope from its realm, with Basic credentials', async () => {
  const t = { url: base, username: 'alice', password: 'secret' };
  assert.deepEqual(await catalog(t, undefined, 2), { repositories: ['a/one', 'b'], next: 'b' });
  assert.deepEqual(await catalog(t, 'b', 2), { repositories: ['c'] });
  assert.deepEqual(await tags(t, 'a/one'), ['1', '2', 'latest']);
  assert.ok(seen.includes(`/token?service=test&scope=repository%3Aa%2Fone%3Apull Basic ${Buffer.from('alice:secret').toString('base64')}`), seen.join('\n'));
  await assert.rejects(catalog({ url: base, username: 'alice', password: 'wrong' }), { kind: 'forbidden', message: /refused user alice/ });
  await assert.rejects(catalog({ url: base }), { kind: 'forbidden' });
});

test('an unreachable registry is a 502 naming it', async () => {
  await assert.rejects(catalog({ url: 'http://127.0.0.1:1' }), { kind: 'unavailable', message: /cannot reach the registry at http:\/\/127\.0\.0\.1:1/ });
});

test('registries are stored 0600 with their passwords, which the list never shows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dash-registries-'));
  try {
    const path = join(dir, 'registries.json');
    const store = await RegistryStore.open(path);
    assert.deepEqual(await store.add({ url: 'http://127.0.0.1:5000', username: 'alice', password: 'secret' }), { name: '127.0.0.1_5000', url: 'http://127.0.0.1:5000', username: 'alice', hasPassword: true, customCa: false, clientCert: false });
    await assert.rejects(store.add({ name: '127.0.0.1_5000', url: 'https://x' }), { kind: 'conflict' });
    await assert.rejects(store.add({ url: 'https://x', password: 'p' }), { kind: 'invalid' });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.match(await readFile(path, 'utf8'), /"password": ?"secret"/);
    assert.ok(!JSON.stringify(store.list()).includes('secret'));
    const again = await RegistryStore.open(path);
    assert.equal(again.get('127.0.0.1_5000').password, 'secret');
    await again.remove('127.0.0.1_5000');
    assert.deepEqual((await RegistryStore.open(path)).list(), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
