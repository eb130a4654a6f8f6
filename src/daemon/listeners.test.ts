import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import type { ApiHandlers } from '../api/server.js';
import { listen, type Listener, type ServerTls } from './listeners.js';

/** A self-signed EC certificate for 127.0.0.1 (quick to make). */
function serverTls(dir: string): ServerTls {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: dir, stdio: 'ignore' });
  return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')), verify: false };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const handlers: ApiHandlers = {
  request: (_req, res) => res.end('OK'),
  upgrade: (_req, socket) => socket.destroy(),
  clientError: (_err, socket) => socket.destroy(),
};

/**
 * Resolves with what close() did within `ms`: 'closed', or 'still open'. When
 * still open, the sockets it could not let go are unref'd, so that the
 * regression fails this test instead of keeping the test process alive.
 */
async function closesWithin(listener: Listener, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still open'), ms)));
  const outcome = await Promise.race([listener.close().then(() => 'closed'), late]).finally(() => clearTimeout(timer));
  if (outcome !== 'closed') {
    const handles = (process as unknown as { _getActiveHandles(): { unref?: () => void }[] })._getActiveHandles();
    for (const handle of handles) if (handle instanceof Socket) handle.unref?.();
  }
  return outcome;
}

describe('a TLS listener', () => {
  let dir: string;
  let tls: ServerTls;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-listen-'));
    tls = serverTls(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('answers plain HTTP with Go\'s 400, lets the connection go, and closes at once after', async () => {
    const port = await freePort();
    const listener = await listen(`tcp://127.0.0.1:${port}`, handlers, { tls });
    const answer = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/_ping' }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      }).on('error', reject).end();
    });
    assert.equal(answer, '400 Client sent an HTTP request to an HTTPS server.\n');
    // Before the fix the answered socket stayed open on the server's side, and close() never returned.
    assert.equal(await closesWithin(listener, 5000), 'closed');
  });

  test('closes with clients still connected: kept-alive TLS, a TLS handshake never finished, a silent TCP client', async () => {
    const port = await freePort();
    const listener = await listen(`tcp://127.0.0.1:${port}`, handlers, { tls });
    const tlsClient = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => tlsClient.once('secureConnect', resolve).once('error', reject));
    tlsClient.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => tlsClient.once('data', resolve));
    const silent = new Socket().connect(port, '127.0.0.1');
    const halfHandshake = new Socket().connect(port, '127.0.0.1', () => halfHandshake.write(Buffer.from([0x16, 0x03, 0x01])));
    await Promise.all([silent, halfHandshake].map((s) => new Promise((resolve) => s.once('connect', resolve))));
    const clients = [tlsClient, silent, halfHandshake];
    const ended = clients.map((s) => new Promise((resolve) => s.once('close', resolve).on('error', () => undefined)));
    const outcome = await closesWithin(listener, 5000);
    for (const client of clients) client.destroy();
    assert.equal(outcome, 'closed');
    await Promise.all(ended);
  });
});
