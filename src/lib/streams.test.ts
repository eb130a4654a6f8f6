import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { consumeFlowing, guardStream, pipeSafely, writeAll } from './streams.js';

test('a guarded stream that errors is destroyed and the error logged, not thrown', async () => {
  const stream = new PassThrough();
  const lines: string[] = [];
  guardStream(stream, 'test stream', (l) => lines.push(l));
  guardStream(stream, 'test stream', (l) => lines.push(l)); // idempotent
  stream.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  await new Promise((r) => stream.once('close', r));
  assert.deepEqual(lines, ['test stream: ECONNRESET: read ECONNRESET']);
});

test('pipeSafely resolves with the error and destroys both ends when the destination goes away', async () => {
  const source = new PassThrough();
  const destination = new PassThrough();
  const piped = pipeSafely(source, destination, 'copy');
  source.write('x');
  destination.destroy();
  const err = await piped;
  assert.ok(err instanceof Error);
  assert.ok(source.destroyed);
});

test('pipeSafely resolves undefined once everything was copied', async () => {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => { chunks.push(c); cb(); } });
  assert.equal(await pipeSafely(Readable.from([Buffer.from('ab'), Buffer.from('c')]), sink, 'copy'), undefined);
  assert.equal(Buffer.concat(chunks).toString(), 'abc');
});

test('writeAll waits for drain, and answers false at once for a destination that is gone', async () => {
  let release: (() => void) | undefined;
  const slow = new Writable({ highWaterMark: 1, write: (_c, _e, cb) => { release = cb; } });
  const pending = writeAll(slow, 'abc');
  let settled = false;
  void pending.then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'held until the buffer drains');
  release!();
  assert.equal(await pending, true);
  slow.destroy();
  assert.equal(await writeAll(slow, 'more'), false);
});

test('writeAll answers false when the destination closes while waiting', async () => {
  const stuck = new Writable({ highWaterMark: 1, write: () => undefined });
  const pending = writeAll(stuck, 'abc');
  stuck.destroy();
  assert.equal(await pending, false);
});

describe('consumeFlowing', () => {
  test('sees every chunk in order and pauses the input only while a promise is pending', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.from(`chunk ${i};`));
    const input = Readable.from(chunks, { objectMode: false });
    const seen: string[] = [];
    let pending = false;
    await consumeFlowing(input, (chunk) => {
      assert.equal(pending, false, 'no chunk while the last promise is pending');
      seen.push(chunk.toString());
      if (seen.length % 10 !== 0) return undefined;
      pending = true;
      return new Promise<void>((resolve) => setTimeout(() => ((pending = false), resolve()), 5));
    });
    assert.equal(seen.join(''), chunks.join(''));
  });

  test('rejects with the first error of the consumer, and with the input\'s error', async () => {
    const failing = Readable.from([Buffer.from('a'), Buffer.from('b')], { objectMode: false });
    await assert.rejects(consumeFlowing(failing, () => Promise.reject(new Error('disk full'))), /disk full/);
    const input = new Readable({ read() {} });
    input.push(Buffer.from('x'));
    setImmediate(() => input.destroy(new Error('client went away')));
    await assert.rejects(consumeFlowing(input, () => undefined), /client went away/);
    assert.equal(input.listenerCount('data'), 0);
  });
});
