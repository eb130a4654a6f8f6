/**
 * The terminal's WebSocket, in process with an engine client that answers
 * slowly: what the browser types as soon as the socket opens (before the exec
 * is created and attached) reaches the shell, in order, after its resizes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { WebSocket } from 'ws';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { Terminals } from './terminal.js';

const CSRF = 'token-0123456789';

function fakeEngine(attached: Promise<void>) {
  const input = new PassThrough();
  const output = new PassThrough();
  const calls: string[] = [];
  const engine = {
    async createExec() {
      await attached;
      return { Id: 'exec1' };
    },
    async startExecAttached() {
      calls.push('start');
      return { input, output, socket: { destroy: () => calls.push('destroy') } };
    },
    async resizeExec(_id: string, rows: number, cols: number) {
      calls.push(`resize ${rows}x${cols}`);
    },
  };
  return { engine, input, calls };
}

test('frames sent before the exec is attached reach the shell, in order', async () => {
  let attach!: () => void;
  const { engine, input, calls } = fakeEngine(new Promise<void>((resolve) => (attach = resolve)));
  const guard = { caller: () => ({ token: 't', session: { csrf: CSRF }, user: { name: 'admin', role: 'admin' } }) } as unknown as Guard;
  const hosts = { get: () => ({ engine: () => engine }) } as unknown as HostManager;
  const terminals = new Terminals(guard, hosts);
  const server: Server = createServer();
  let serverSide: Socket | undefined;
  server.on('upgrade', (req, socket, head) => {
    serverSide = socket as Socket;
    terminals.upgrade(req, socket, head, () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/hosts/h/containers/c/exec?csrf=${CSRF}&cols=80&rows=24`);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(Buffer.from('echo '));
    ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
    ws.send(Buffer.from('hi\n'));
    const typed: Buffer[] = [];
    input.on('data', (chunk: Buffer) => typed.push(chunk));
    // Only once the server has read every byte the client wrote does the engine answer.
    await new Promise<void>((resolve) => ws.send(Buffer.alloc(0), () => resolve()));
    const clientSide = (ws as unknown as { _socket: Socket })._socket;
    await waitFor(() => serverSide?.bytesRead === clientSide.bytesWritten);
    await new Promise((resolve) => setImmediate(resolve));
    attach();
    await waitFor(() => Buffer.concat(typed).toString() === 'echo hi\n');
    assert.deepEqual(calls, ['start', 'resize 30x100']);
    ws.close();
  } finally {
    terminals.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
