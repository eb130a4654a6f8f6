import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuntimeCleanups } from './runtime-cleanups.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('a deletion chained after another runs only once the first is done, and never overlaps it', async () => {
  const cleanups = new RuntimeCleanups();
  const first = deferred();
  const order: string[] = [];
  void cleanups.after('c1', async () => {
    order.push('first:begin');
    await first.promise;
    order.push('first:end');
  });
  const second = cleanups.after('c1', async () => void order.push('second'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['first:begin']);
  assert.equal(cleanups.pending('c1'), true);
  first.resolve();
  await second;
  assert.deepEqual(order, ['first:begin', 'first:end', 'second']);
  await cleanups.settled();
  assert.equal(cleanups.pending('c1'), false);
});

test('a failed deletion is its caller\'s error but does not stop the next one in the chain', async () => {
  const cleanups = new RuntimeCleanups();
  const failing = cleanups.after('c1', async () => {
    throw new Error('runc said no');
  });
  const next = cleanups.after('c1', async () => 'ran');
  await assert.rejects(failing, /runc said no/);
  assert.equal(await next, 'ran');
});

test('chains of different containers do not wait for each other; settled waits for all', async () => {
  const cleanups = new RuntimeCleanups();
  const slow = deferred();
  void cleanups.after('c1', () => slow.promise);
  assert.equal(await cleanups.after('c2', async () => 'c2 done'), 'c2 done');
  let settled = false;
  const all = cleanups.settled().then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false);
  slow.resolve();
  await all;
  assert.equal(cleanups.pending('c1') || cleanups.pending('c2'), false);
});
