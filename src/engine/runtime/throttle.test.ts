import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Throttle } from './throttle.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('runs at most `slots` tasks at once, the rest in arrival order', async () => {
  const throttle = new Throttle(2, 60_000);
  const gates = [deferred(), deferred(), deferred(), deferred()];
  const started: number[] = [];
  const runs = gates.map((g, i) => throttle.run(async () => {
    started.push(i);
    await g.promise;
    return i;
  }));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  gates[1]!.resolve();
  assert.equal(await runs[1], 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  for (const g of gates) g.resolve();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
});

test('a failing task gives its slot up', async () => {
  const throttle = new Throttle(1, 60_000);
  await assert.rejects(throttle.run(async () => {
    throw new Error('boom');
  }), /boom/);
  assert.equal(await throttle.run(async () => 'next'), 'next');
});

test('a task that holds its slot too long lets the next one start', async () => {
  const throttle = new Throttle(1, 10);
  const hung = deferred();
  const first = throttle.run(() => hung.promise);
  assert.equal(await throttle.run(async () => 'second'), 'second');
  hung.resolve();
  await first;
  assert.equal(await throttle.run(async () => 'third'), 'third');
});
