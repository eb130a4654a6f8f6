import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warmPs } from './ps.js';

test('the CLI pool\'s ps warm-up renders its made-up rows (a broken sample would warm nothing, silently)', () => {
  assert.doesNotThrow(() => warmPs());
});
