import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rfc3339NanoFixed } from './container-logs.js';

test('log timestamps are written as dockerd writes them: UTC, nine fraction digits, Z', () => {
  assert.equal(rfc3339NanoFixed('2026-12-06T14:59:54.04634952+00:00'), '2026-12-06T14:59:54.046349520Z');
  assert.equal(rfc3339NanoFixed('2026-12-06T16:59:54.123456789+02:00'), '2026-12-06T14:59:54.123456789Z');
  assert.equal(rfc3339NanoFixed('2026-12-06T14:59:54Z'), '2026-12-06T14:59:54.000000000Z');
});
