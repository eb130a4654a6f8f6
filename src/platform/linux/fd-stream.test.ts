import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packetStream, socketOverFd } from './fd-stream.js';
import { dup, pipe, seqpacketConnect } from './sys.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-fdstream-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Peer {
  write(buf: Buffer): void;
  destroy(): void;
  on(event: 'data', cb: (b: Buffer) => void): void;
}
interface Server {
  listen(path: string): void;
  close(): void;
  on(event: 'connection', cb: (s: Peer) => void): void;
}
const { SeqpacketServer } = createRequire(import.meta.url)('node-unix-socket') as { SeqpacketServer: new () => Server };

const openFds = () => readdirSync('/proc/self/fd').length;

/** A seqpacket server whose first connection is handed to `onPeer`. */
function server(name: string, onPeer: (peer: Peer) => void): { path: string; close(): void } {
  const path = join(dir, name);
  const s = new SeqpacketServer();
  s.on('connection', onPeer);
  s.listen(path);
  return { path, close: () => s.close() };
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    stream.on('data', (b: Buffer) => got.push(b));
    stream.on('end', () => resolve(got));
    stream.on('error', reject);
  });
}

test('packetStream keeps every packet apart, also those queued when the peer closed', async () => {
  const packets = Array.from({ length: 200 }, (_, i) => Buffer.from(`packet ${i} `.repeat(i % 7 + 1)));
  const srv = server('burst', (peer) => {
    for (const p of packets) peer.write(p);
    peer.destroy();
  });
  try {
    const stream = packetStream(seqpacketConnect(srv.path));
    assert.deepEqual(await collect(stream), packets);
  } finally {
    srv.close();
  }
});

test('packetStream reads nothing while paused, and all once resumed', async () => {
  let sent = 0;
  const srv = server('paused', (peer) => {
    for (; sent < 20; sent++) peer.write(Buffer.from([sent]));
    setTimeout(() => peer.destroy(), 50);
  });
  try {
    const stream = packetStream(seqpacketConnect(srv.path));
    stream.pause();
    await new Promise((r) => setTimeout(r, 100));
    // Only what fills the readable buffer (its high-water mark) was taken off the socket.
    assert.ok(stream.readableLength <= stream.readableHighWaterMark, `${stream.readableLength} buffered`);
    const got = collect(stream);
    stream.resume();
    assert.equal((await got).length, 20);
  } finally {
    srv.close();
  }
});

test('a socket over a dup of a seqpacket fd writes one packet per write; pipes close with their sockets', async () => {
  const before = openFds();
  const received: Buffer[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  let accepted: Peer | undefined;
  const srv = server('writes', (peer) => {
    accepted = peer;
    peer.on('data', (b) => {
      received.push(b);
      if (received.length === 2) done();
    });
  });
  try {
    const fd = seqpacketConnect(srv.path);
    const writer = socketOverFd(dup(fd), { readable: false, writable: true });
    const reader = packetStream(fd);
    await new Promise<void>((r) => writer.write(Buffer.from('one'), () => r()));
    await new Promise<void>((r) => writer.write(Buffer.from('two'), () => r()));
    await all;
    assert.deepEqual(received.map(String), ['one', 'two']);
    writer.destroy();
    reader.destroy();

    const [r, w] = pipe();
    const rs = socketOverFd(r, { readable: true, writable: false });
    const ws = socketOverFd(w, { readable: false, writable: true });
    const text = collect(rs);
    ws.end('through the pipe');
    assert.equal(Buffer.concat(await text).toString(), 'through the pipe');
  } finally {
    accepted?.destroy();
    srv.close();
  }
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(openFds(), before);
});
