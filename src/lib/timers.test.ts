import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { longDelay, longTimeout, MAX_TIMER_MS } from './timers.js';

describe('longDelay', () => {
  it('waits out a delay longer than a Node timer can hold, in timers Node accepts', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      let done = false;
      void longDelay(3_000_000_000).then(() => (done = true));
      mock.timers.tick(MAX_TIMER_MS);
      await Promise.resolve();
      assert.equal(done, false, 'must not fire when the first timer ends');
      mock.timers.tick(3_000_000_000 - MAX_TIMER_MS);
      await new Promise((r) => setImmediate(r));
      assert.equal(done, true);
    } finally {
      mock.timers.reset();
    }
  });

  it('can be cancelled, and never fires for an infinite delay', async () => {
    let fired = 0;
    longTimeout(() => fired++, 5).cancel();
    longTimeout(() => fired++, Infinity);
    const keepAlive = setTimeout(() => undefined, 10_000);
    await new Promise((r) => setTimeout(r, 30));
    clearTimeout(keepAlive);
    assert.equal(fired, 0);
  });

  it('resolves a short delay once it has passed', async () => {
    const start = Date.now();
    const keepAlive = setTimeout(() => undefined, 10_000); // longDelay's own timers are unref'd
    await longDelay(20);
    clearTimeout(keepAlive);
    assert.ok(Date.now() - start >= 19);
  });
});
