import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, markExited, markPaused, markRunning, removalRefusal } from './state.js';

const exit = { exitCode: 3, exitedAt: new Date('2026-01-01T00:00:00Z'), oomKilled: false };

test('an exit that will be restarted goes straight to restarting, with the exit recorded', () => {
  const s = initialState();
  markRunning(s, 42);
  markExited(s, exit, 'restarting');
  assert.equal(s.Status, 'restarting');
  assert.equal(s.Restarting, true);
  assert.equal(s.Running, true);
  assert.equal(s.Pid, 0);
  assert.equal(s.ExitCode, 3);
  assert.equal(s.FinishedAt, '2026-01-01T00:00:00.000Z');
});

test('removal is refused with dockerd 20.10\'s words while the container runs, is paused or restarting', () => {
  const s = initialState();
  assert.equal(removalRefusal('abc', s), null);
  markRunning(s, 42);
  assert.equal(removalRefusal('abc', s), 'You cannot remove a running container abc. Stop the container before attempting removal or force remove');
  markPaused(s, true);
  assert.equal(removalRefusal('abc', s), 'You cannot remove a paused container abc. Unpause and then stop the container before attempting removal or force remove');
  markExited(s, exit, 'restarting');
  assert.equal(removalRefusal('abc', s), 'You cannot remove a restarting container abc. Stop the container before attempting removal or force remove');
  markExited(s, exit);
  assert.equal(removalRefusal('abc', s), null);
});
