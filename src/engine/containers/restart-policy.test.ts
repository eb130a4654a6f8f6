import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRestart, BACKOFF_MAX_MS } from './restart-policy.js';

const base = { exitCode: 1, manuallyStopped: false, restartCount: 0, ranForMs: 50, previousDelayMs: 0, daemonStopping: false };

test('no policy, "no", a manual stop, or a stopping daemon never restart', () => {
  assert.equal(decideRestart(undefined, base).restart, false);
  assert.equal(decideRestart({ Name: 'no' }, base).restart, false);
  assert.equal(decideRestart({ Name: 'always' }, { ...base, manuallyStopped: true }).restart, false);
  assert.equal(decideRestart({ Name: 'always' }, { ...base, daemonStopping: true }).restart, false);
});

test('on-failure restarts on non-zero exits up to its count', () => {
  assert.equal(decideRestart({ Name: 'on-failure' }, { ...base, exitCode: 0 }).restart, false);
  assert.equal(decideRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, { ...base, restartCount: 1 }).restart, true);
  assert.equal(decideRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, { ...base, restartCount: 2 }).restart, false);
});

test('backoff doubles from 100 ms, caps at a minute, and resets after 10 s up', () => {
  assert.equal(decideRestart({ Name: 'always' }, base).delayMs, 100);
  assert.equal(decideRestart({ Name: 'always' }, { ...base, previousDelayMs: 100 }).delayMs, 200);
  assert.equal(decideRestart({ Name: 'always' }, { ...base, previousDelayMs: 40_000 }).delayMs, BACKOFF_MAX_MS);
  assert.equal(decideRestart({ Name: 'unless-stopped' }, { ...base, previousDelayMs: 6400, ranForMs: 12_000 }).delayMs, 100);
});
