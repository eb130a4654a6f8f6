import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeHealthcheck } from './healthcheck.js';

describe('mergeHealthcheck (moby daemon/commit.go merge)', () => {
  const image = { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 2e9, Retries: 4 };

  it('takes the inherited test and timings where its own are empty or 0', () => {
    assert.deepEqual(mergeHealthcheck({ Retries: 7 }, image), { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 2e9, Retries: 7 });
    assert.deepEqual(mergeHealthcheck({ Test: [], Interval: 0, Timeout: 1e9 }, image), { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 1e9, Retries: 4 });
  });

  it('keeps timings under NONE, as dockerd does', () => {
    assert.deepEqual(mergeHealthcheck({ Test: ['NONE'] }, image), { Test: ['NONE'], Interval: 5e9, Timeout: 2e9, Retries: 4 });
  });

  it('is either one when the other is absent', () => {
    assert.deepEqual(mergeHealthcheck(undefined, image), image);
    assert.deepEqual(mergeHealthcheck({ Test: ['CMD', 'x'] }, undefined), { Test: ['CMD', 'x'] });
    assert.equal(mergeHealthcheck(undefined, undefined), undefined);
  });
});
