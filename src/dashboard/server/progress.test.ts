import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProgress, emptyProgress, type ProgressMessage } from '../shared/operations.js';

const fold = (messages: ProgressMessage[]) => messages.reduce(applyProgress, emptyProgress());

describe('pull and push progress', () => {
  test('a pull: one entry per layer, updated in place, with bytes while downloading', () => {
    const state = fold([
      { status: 'Pulling from bb', id: 'v1' },
      { status: 'Pulling fs layer', id: 'aaaaaaaaaaaa', progressDetail: {} },
      { status: 'Pulling fs layer', id: 'bbbbbbbbbbbb', progressDetail: {} },
      { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 512, total: 2048 }, progress: '[====>   ]' },
      { status: 'Download complete', id: 'bbbbbbbbbbbb', progressDetail: {} },
    ]);
    assert.deepEqual(state.layers, [
      { id: 'aaaaaaaaaaaa', status: 'Downloading', current: 512, total: 2048 },
      { id: 'bbbbbbbbbbbb', status: 'Download complete' },
    ]);
    assert.deepEqual(state.lines, ['v1: Pulling from bb']);
    const done = [{ status: 'Digest: sha256:abc' }, { status: 'Status: Downloaded newer image for 127.0.0.1:5000/bb:v1' }].reduce(applyProgress, state);
    assert.deepEqual(done.lines.slice(1), ['Digest: sha256:abc', 'Status: Downloaded newer image for 127.0.0.1:5000/bb:v1']);
    assert.equal(done.error, undefined);
  });

  test('an error in the stream (after the 200) is kept, from either field', () => {
    assert.equal(fold([{ status: 'Pulling from x' }, { error: 'manifest unknown' }]).error, 'manifest unknown');
    assert.equal(fold([{ errorDetail: { message: 'denied' } }]).error, 'denied');
  });

  test('lines without a status (aux digests) change nothing', () => {
    const before = emptyProgress();
    assert.equal(applyProgress(before, { aux: { Tag: 'v1' } }), before);
  });
});
