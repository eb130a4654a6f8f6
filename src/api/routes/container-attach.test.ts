import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { connectStdio } from './container-attach.js';

test('an attachment ends only once the engine has recorded the end of what it followed', async () => {
  let closed = false;
  const conn = { input: new PassThrough(), output: new PassThrough(), close: () => void (closed = true) };
  conn.output.resume();
  let settle!: () => void;
  const stdout = new PassThrough();
  const streams = { stdin: null, stdout, stderr: null, close: () => undefined, settled: () => new Promise<void>((resolve) => (settle = resolve)) };
  connectStdio(conn, streams, true, Buffer.alloc(0));
  stdout.end('bye\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, false, 'the output ended before the exit was recorded');
  settle();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, true);
});

test('a stdin-only attachment ends when the client is done sending, not at the exit', async () => {
  let closed = false;
  const conn = { input: new PassThrough(), output: new PassThrough(), close: () => void (closed = true) };
  const stdin = new PassThrough();
  stdin.resume();
  const streams = { stdin, stdout: null, stderr: null, close: () => undefined, settled: () => new Promise<void>(() => undefined) };
  connectStdio(conn, streams, false, Buffer.alloc(0));
  conn.input.end('line\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, true);
});
