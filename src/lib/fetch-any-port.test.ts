import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fetchAnyPort } from './fetch-any-port.js';

/** A server on 127.0.0.1:port, or null when the port is taken on this host. */
function listen(port: number, handler: Parameters<typeof createServer>[1]): Promise<Server | null> {
  const server = createServer(handler);
  return new Promise((resolve) => {
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('fetchAnyPort', () => {
  it('gets from a port the Fetch standard blocks (fetch says "bad port"), following a redirect, as dockerd would', async (t) => {
    const port = [6665, 6666, 6667, 6668, 6669, 10080, 6000];
    let server: Server | null = null;
    for (const p of port) if ((server = await listen(p, (req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/file' }).end();
      else res.writeHead(200, { 'last-modified': 'Tue, 01 Dec 2026 00:00:00 GMT' }).end('hello');
    }))) break;
    if (!server) return t.skip('every blocked port tried is in use here');
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/moved`;
      await assert.rejects(fetch(url), (err: Error) => /bad port/.test(String((err as { cause?: Error }).cause?.message ?? err.message)));
      const res = await fetchAnyPort(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('last-modified'), 'Tue, 01 Dec 2026 00:00:00 GMT');
      assert.equal(await res.text(), 'hello');
    } finally {
      server.close();
    }
  });

  it('fails as fetch fails when nothing listens (the cause carries the socket error)', async () => {
    const err = await fetchAnyPort('http://127.0.0.1:1/x').catch((e: unknown) => e as TypeError & { cause?: NodeJS.ErrnoException });
    assert.ok(err instanceof TypeError);
    assert.equal(err.cause?.code, 'ECONNREFUSED');
  });
});
