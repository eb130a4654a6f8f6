import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerContext, type ContainerServiceDeps } from './context.js';
import { initialState, markExited, markRunning } from './state.js';
import type { Container } from './types.js';

function contextWith(c: Container): ContainerContext {
  const store = { get: (id: string) => (id === c.id ? c : undefined) };
  return new ContainerContext({ store } as unknown as ContainerServiceDeps);
}

/** Whether `p` has settled once pending callbacks have run. */
async function settledYet(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('exitRecorded waits for a start in progress, then for the exit it records', async () => {
  const c = { id: 'c1', state: initialState() } as Container;
  const ctx = contextWith(c);
  let startDone!: () => void;
  // A start holds the lock; its process has already printed and exited, its state still says created.
  const start = ctx.lock(c.id, () => new Promise<void>((resolve) => (startDone = resolve)));
  const recorded = ctx.exitRecorded(c.id);
  assert.equal(await settledYet(recorded), false, 'a created container whose start is in progress has not exited yet');
  markRunning(c.state, 42);
  startDone();
  await start;
  assert.equal(await settledYet(recorded), false, 'running: its exit is not recorded yet');
  markExited(c.state, { exitCode: 3, exitedAt: new Date(), oomKilled: false });
  ctx.signals.emit(`exit:${c.id}`, 3);
  assert.equal(await settledYet(recorded), true);
});

test('exitRecorded answers at once for a container that does not run (or waits to restart)', async () => {
  const c = { id: 'c2', state: initialState() } as Container;
  const ctx = contextWith(c);
  assert.equal(await settledYet(ctx.exitRecorded(c.id)), true);
  markRunning(c.state, 42);
  markExited(c.state, { exitCode: 1, exitedAt: new Date(), oomKilled: false }, 'restarting');
  assert.equal(await settledYet(ctx.exitRecorded(c.id)), true);
});
