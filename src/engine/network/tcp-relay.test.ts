import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { relayTcp } from './tcp-relay.js';

/** Loopback only: an upstream server of the test's own and a relay listener in front of it. */
function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function collect(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

describe('relayTcp', () => {
  const payload = randomBytes(8 << 20);
  // Upstream: "send" answers with the payload; anything else is echoed back once the client has shut down its side.
  const upstream = createServer({ allowHalfOpen: true }, (s) => {
    const got: Buffer[] = [];
    s.on('data', (c: Buffer) => {
      got.push(c);
      if (Buffer.concat(got).toString() === 'send') s.end(payload);
    });
    s.on('end', () => s.end(Buffer.concat(got)));
    s.on('error', () => undefined);
  });
  let upstreamPort = 0;
  const relay = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => relayTcp(client, { host: '127.0.0.1', port: upstreamPort }));
  let relayPort = 0;

  before(async () => {
    upstreamPort = await listen(upstream);
    relayPort = await listen(relay);
  });
  after(() => {
    upstream.close();
    relay.close();
  });

  it('carries a large download intact, also to a slow reader', async () => {
    const fast = connect(relayPort, '127.0.0.1');
    fast.write('send');
    assert.ok((await collect(fast)).equals(payload));

    const slow = connect(relayPort, '127.0.0.1');
    slow.write('send');
    const received = collect(slow);
    // Reading in pauses makes the relay's writes wait, which is when its read buffer must not be reused.
    const timer = setInterval(() => (slow.isPaused() ? slow.resume() : slow.pause()), 5);
    try {
      assert.ok((await received).equals(payload));
    } finally {
      clearInterval(timer);
    }
  });

  it('passes a half-close on: the client that shut down its sending side still gets the answer', async () => {
    const client = connect({ port: relayPort, host: '127.0.0.1', allowHalfOpen: true });
    const upload = randomBytes(3 << 20);
    client.end(upload);
    assert.ok((await collect(client)).equals(upload));
  });

  it('closes the client when the upstream is not there', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise<void>((r) => closed.close(() => r()));
    const front = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => relayTcp(client, { host: '127.0.0.1', port }));
    const frontPort = await listen(front);
    try {
      const client = connect(frontPort, '127.0.0.1');
      await new Promise<void>((resolve) => client.on('close', () => resolve()).on('error', () => undefined));
    } finally {
      front.close();
    }
  });
});
