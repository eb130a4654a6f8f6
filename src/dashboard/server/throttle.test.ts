import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginGate, LoginThrottle } from './throttle.js';

test('a few failures are free, then each attempt waits twice as long, up to the ceiling', () => {
  let now = 1_000_000;
  const t = new LoginThrottle({ freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 5000, now: () => now });
  const key = 'alice\n10.0.0.1';
  t.failed(key);
  assert.equal(t.retryAfter(key), 0);
  t.failed(key);
  assert.equal(t.retryAfter(key), 1000);
  now += 1000;
  assert.equal(t.retryAfter(key), 0);
  t.failed(key);
  assert.equal(t.retryAfter(key), 2000);
  t.failed(key);
  t.failed(key);
  assert.equal(t.retryAfter(key), 5000, 'capped');
});

test('keys are separate (user and address), and a success clears one', () => {
  const t = new LoginThrottle({ freeFailures: 0, now: () => 0 });
  t.failed('alice\n10.0.0.1');
  assert.ok(t.retryAfter('alice\n10.0.0.1') > 0);
  assert.equal(t.retryAfter('alice\n10.0.0.2'), 0);
  assert.equal(t.retryAfter('bob\n10.0.0.1'), 0);
  t.succeeded('alice\n10.0.0.1');
  assert.equal(t.retryAfter('alice\n10.0.0.1'), 0);
});

test('the gate counts an attempt when it lets it in, so parallel attempts cannot all pass', () => {
  const gate = new LoginGate({ freeFailures: 2, baseDelayMs: 1000, now: () => 0 });
  // Three attempts let in before any outcome is known: the third already waits.
  assert.equal(gate.enter('alice', '10.0.0.1'), 0);
  assert.equal(gate.enter('alice', '10.0.0.1'), 0);
  assert.equal(gate.enter('alice', '10.0.0.1'), 1000);
  // A right password clears the name's count.
  gate.succeeded('alice', '10.0.0.1');
  assert.equal(gate.enter('alice', '10.0.0.1'), 0);
});

test('the gate also limits one address over many names, and successes do not reset that', () => {
  const gate = new LoginGate({ freeFailures: 1, baseDelayMs: 1000, now: () => 0 });
  // The address gets 20 free failures (5 x the name's, at least 20) over all names.
  for (let i = 0; i < 20; i++) assert.equal(gate.enter(`user${i}`, '10.0.0.1'), 0, `attempt ${i}`);
  assert.ok(gate.enter('someone-else', '10.0.0.1') > 0);
  assert.equal(gate.enter('someone-else', '10.0.0.2'), 0, 'another address is not held back');
  // A success takes its own attempt back from the address, no more.
  const fresh = new LoginGate({ freeFailures: 1, baseDelayMs: 1000, now: () => 0 });
  for (let i = 0; i < 19; i++) fresh.enter(`user${i}`, '10.0.0.3');
  fresh.enter('me', '10.0.0.3');
  fresh.succeeded('me', '10.0.0.3');
  assert.equal(fresh.enter('user-x', '10.0.0.3'), 0);
  assert.ok(fresh.enter('user-y', '10.0.0.3') > 0);
});
