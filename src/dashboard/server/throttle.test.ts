import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from './throttle.js';

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
