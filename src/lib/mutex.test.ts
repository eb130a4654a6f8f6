import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedMutex } from './mutex.js';

/** A task that records when it runs and finishes when `release` is called. */
function gate(log: string[], name: string): { run: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { run: async () => { log.push(`${name}+`); await done; log.push(`${name}-`); }, release };
}

const tick = () => new Promise((r) => setImmediate(r));

test('shared holders run together; an exclusive one waits for them and holds later shared ones back', async () => {
  const lock = new SharedMutex();
  const log: string[] = [];
  const [a, b, x, c] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'x'), gate(log, 'c')];
  const runs = [lock.shared(a.run), lock.shared(b.run), lock.exclusive(x.run), lock.shared(c.run)];
  await tick();
  assert.deepEqual(log, ['a+', 'b+'], 'both shared holders started; x and c wait');
  a.release();
  await tick();
  assert.deepEqual(log, ['a+', 'b+', 'a-'], 'x still waits for b');
  b.release();
  await tick();
  assert.deepEqual(log.slice(3), ['b-', 'x+'], 'x runs alone; c (behind it) waits');
  x.release();
  await tick();
  assert.deepEqual(log.slice(5), ['x-', 'c+']);
  c.release();
  await Promise.all(runs);
});

test('a failing holder lets the next one in and its caller sees the error', async () => {
  const lock = new SharedMutex();
  await assert.rejects(lock.exclusive(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await lock.shared(async () => 7), 7);
  assert.equal(await lock.exclusive(async () => 8), 8);
});
