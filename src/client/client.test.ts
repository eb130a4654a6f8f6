import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { BerthClient, ClientError, ConnectionError, parseHost } from './index.js';

let dir: string;
let server: http.Server;
const seen: string[] = [];
let serverApiVersion = '1.41';
let waiterClosed: () => void = () => undefined;
const waiterGone = new Promise<void>((resolve) => (waiterClosed = resolve));

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-client-'));
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': serverApiVersion, 'Content-Type': 'text/plain' });
      return res.end('OK');
    }
    if (req.url?.startsWith(`/v${serverApiVersion === '1.99' ? '1.45' : serverApiVersion}/images/json`)) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('[]');
    }
    if (req.url?.includes('/images/load')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ stream: `got ${Buffer.concat(chunks).toString()}\n` }));
      });
      return;
    }
    if (req.url?.includes('/containers/sleeper/wait')) {
      // Headers now, the result never: the waiter stays open until the client goes.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      req.socket.once('close', () => waiterClosed());
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'No such image: nope:latest' }));
  });
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'api.sock'), resolve));
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const newClient = () => new BerthClient({ host: `unix://${path.join(dir, 'api.sock')}` });

test('negotiates down to the server version and prefixes paths', async () => {
  seen.length = 0;
  serverApiVersion = '1.41';
  const client = newClient();
  assert.deepEqual(await client.listImages({ all: true, filters: { dangling: ['true'] } }), []);
  assert.deepEqual(seen, ['GET /_ping', 'GET /v1.41/images/json?all=1&filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D']);
  client.close();
});

test('caps the version at 1.45 for newer servers', async () => {
  serverApiVersion = '1.99';
  const client = newClient();
  assert.equal(await client.apiVersion(), '1.45');
  client.close();
  serverApiVersion = '1.41';
});

test('HTTP errors carry status, kind and the daemon message', async () => {
  const client = newClient();
  await assert.rejects(client.inspectImage('nope'), (err: unknown) => {
    assert.ok(err instanceof ClientError);
    assert.equal(err.statusCode, 404);
    assert.equal(err.kind, 'notFound');
    assert.equal(err.message, 'No such image: nope:latest');
    return true;
  });
  client.close();
});

test('streams a request body', async () => {
  const client = newClient();
  const result = await client.loadImages(Readable.from([Buffer.from('tar-bytes')]));
  const chunks: Buffer[] = [];
  for await (const c of result.body) chunks.push(c as Buffer);
  assert.equal(JSON.parse(Buffer.concat(chunks).toString()).stream, 'got tar-bytes\n');
  assert.equal(result.json, true);
  client.close();
});

test('an absent socket is a ConnectionError', async () => {
  const client = new BerthClient({ host: `unix://${path.join(dir, 'missing.sock')}` });
  await assert.rejects(client.ping(), ConnectionError);
  client.close();
});

test('parseHost understands unix, tcp, http, https and docker\'s short forms', () => {
  assert.deepEqual(parseHost('unix:///run/berth/berth.sock'), { kind: 'unix', socketPath: '/run/berth/berth.sock' });
  assert.deepEqual(parseHost('tcp://127.0.0.1:2376'), { kind: 'tcp', hostname: '127.0.0.1', port: 2376 });
  assert.deepEqual(parseHost('http://example'), { kind: 'tcp', hostname: 'example', port: 2375 });
  assert.deepEqual(parseHost('https://x'), { kind: 'tcp', hostname: 'x', port: 2376 });
  assert.deepEqual(parseHost('tcp://example', true), { kind: 'tcp', hostname: 'example', port: 2376 });
  assert.deepEqual(parseHost('10.0.0.2:4243'), { kind: 'tcp', hostname: '10.0.0.2', port: 4243 });
  assert.deepEqual(parseHost(':5555'), { kind: 'tcp', hostname: '127.0.0.1', port: 5555 });
  assert.throws(() => parseHost('tcp://x:1/prefix'), /a path prefix is not supported/);
  assert.throws(() => parseHost('ftp://x'), /unsupported protocol scheme/);
});

test('close() also ends requests on a connection of their own (a pending wait), so a command can exit', async () => {
  serverApiVersion = '1.41';
  const client = newClient();
  const { result } = await client.waitContainer('sleeper');
  result.catch(() => undefined);
  client.close();
  await waiterGone;
});
