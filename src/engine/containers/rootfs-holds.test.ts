import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RootfsHolds } from './rootfs-holds.js';

function fakeMounter() {
  const log: string[] = [];
  let mounted = false;
  const state = { running: false };
  const holds = new RootfsHolds({
    mount: async () => {
      if (!mounted) log.push('mount');
      mounted = true;
    },
    unmount: async () => {
      await new Promise((r) => setTimeout(r, 5)); // an unmount that takes a while
      if (mounted) log.push('unmount');
      mounted = false;
    },
    running: () => state.running,
  });
  return { holds, log, state, isMounted: () => mounted };
}

test('an exit does not unmount what a reader holds; the last one out unmounts', async () => {
  const { holds, log, state, isMounted } = fakeMounter();
  state.running = true;
  const start = await holds.hold('c');
  await start(); // running: stays mounted
  const reader = await holds.hold('c');
  state.running = false;
  await holds.release('c'); // the exit
  assert.equal(isMounted(), true);
  await reader();
  await reader(); // letting go twice counts once
  assert.deepEqual(log, ['mount', 'unmount']);
});

test('a reader that comes while the exit unmounts finds the filesystem mounted', async () => {
  const { holds, isMounted } = fakeMounter();
  await (await holds.hold('c'))();
  const [, reader] = await Promise.all([holds.release('c'), holds.hold('c')]);
  assert.equal(isMounted(), true);
  await reader();
  assert.equal(isMounted(), false);
});
