import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from './static.js';

let dir: string;
let server: Server;
let base: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-dash-static-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html>');
  await writeFile(join(dir, 'assets', 'app.js'), 'export {}');
  await writeFile(join(dir, 'assets', '.hidden.js'), 'secret');
  await writeFile(join(dir, 'secret.json'), '{}');
  server = createServer((req, res) => {
    void serveStatic(new URL(req.url!, 'http://x').pathname, res, dir).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

test('serves index.html and the assets with their types, and nothing else', async () => {
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  const js = await fetch(`${base}/assets/app.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(await js.text(), 'export {}');
  for (const path of ['/assets/.hidden.js', '/assets/../secret.json', '/assets/%2e%2e%2fsecret.json', '/secret.json', '/assets/missing.js', '/assets/']) {
    assert.equal((await fetch(`${base}${path}`)).status, 404, path);
  }
});
