import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preloadCompose, warmProjectLoader } from './index.js';

test('the CLI pool\'s warm-up project loads (a broken one would warm nothing, silently)', async () => {
  await assert.doesNotReject(warmProjectLoader());
  await assert.doesNotReject(preloadCompose());
});
