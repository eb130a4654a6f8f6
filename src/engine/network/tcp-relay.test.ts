import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { activeSpliceRelays, relayTcp } from './tcp-relay.js';

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

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const openFds = () => readdirSync('/proc/self/fd').length;

/** Polls `check` until it holds (the relay thread finishes on its own time); fails after 20 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 20_000) assert.fail(`still not ${what}`);
    await delay(10);
  }
}

for (const splice of [true, false]) {
  describe(`relayTcp (${splice ? 'splice' : 'JS fallback'})`, () => {
    const payload = randomBytes(8 << 20);
    const upstreamClosed: Promise<void>[] = [];
    // Upstream: "send" answers with the payload; anything else is echoed back once the client has shut down its side.
    const upstream = createServer({ allowHalfOpen: true }, (s) => {
      upstreamClosed.push(new Promise((resolve) => s.on('close', () => resolve())));
      const got: Buffer[] = [];
      let length = 0;
      s.on('data', (c: Buffer) => {
        got.push(c);
        length += c.length;
        if (length === 4 && Buffer.concat(got).toString() === 'send') s.end(payload);
      });
      s.on('end', () => s.end(Buffer.concat(got)));
      s.on('error', () => undefined);
    });
    let upstreamPort = 0;
    const relay = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => relayTcp(client, { host: '127.0.0.1', port: upstreamPort }, { splice }));
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
      const upload = randomBytes(24 << 20);
      client.end(upload);
      assert.equal(sha256(await collect(client)), sha256(upload));
    });

    it('ends the relay when the client resets mid-download, and the upstream is closed', async () => {
      const before = upstreamClosed.length;
      const client = connect(relayPort, '127.0.0.1');
      client.write('send');
      await new Promise((resolve) => client.once('data', resolve));
      client.resetAndDestroy();
      await until('an upstream connection', () => upstreamClosed.length > before);
      await upstreamClosed[before];
      if (splice) await until('done splicing', () => activeSpliceRelays() === 0);
    });

    it('leaves no fds behind after many connections', async () => {
      const baseline = openFds();
      await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        const client = connect({ port: relayPort, host: '127.0.0.1', allowHalfOpen: true });
        client.end(`hello ${i}`);
        assert.equal((await collect(client)).toString(), `hello ${i}`);
      }));
      // The relay's side closes after the client got its EOF: wait for it rather than assume it.
      await until(`back to ${baseline} fds and no relay running`, () => openFds() <= baseline && activeSpliceRelays() === 0);
    });

    it('closes the client when the upstream is not there', async () => {
      const closed = createServer();
      const port = await listen(closed);
      await new Promise<void>((r) => closed.close(() => r()));
      const front = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => relayTcp(client, { host: '127.0.0.1', port }, { splice }));
      const frontPort = await listen(front);
      try {
        const client = connect(frontPort, '127.0.0.1');
        await new Promise<void>((resolve) => client.on('close', () => resolve()).on('error', () => undefined));
      } finally {
        front.close();
      }
    });
  });
}
