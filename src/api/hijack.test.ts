import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { frame, parseDetachKeys, pipeWithDetach } from './hijack.js';

test('frames carry the stream number and a big-endian length', () => {
  const f = frame(2, Buffer.from('err'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 3]);
  assert.equal(f.subarray(8).toString(), 'err');
});

test('detach keys parse as docker does', () => {
  assert.deepEqual([...parseDetachKeys(undefined)], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x')], [1, 120]);
  assert.throws(() => parseDetachKeys('ctrl-ab'));
});

/** Feeds `chunks` through pipeWithDetach with the default keys: what was forwarded, and whether it detached. */
function piped(...chunks: number[][]): { forwarded: number[]; detached: boolean } {
  const input = new PassThrough();
  const target = new PassThrough();
  const seen: Buffer[] = [];
  target.on('data', (d: Buffer) => seen.push(d));
  let detached = false;
  pipeWithDetach(input, target, parseDetachKeys('ctrl-p,ctrl-q'), () => (detached = true));
  for (const chunk of chunks) input.write(Buffer.from(chunk));
  return { forwarded: [...Buffer.concat(seen)], detached };
}

test('input is forwarded until the detach sequence, which is swallowed', () => {
  // h, ctrl-p, i: a broken-off sequence is forwarded
  assert.deepEqual(piped([104, 16, 105], [33, 16, 17, 120]), { forwarded: [104, 16, 105, 33], detached: true });
});

test('the byte that breaks a partial detach sequence may begin the sequence again', () => {
  assert.deepEqual(piped([16, 16, 17]), { forwarded: [16], detached: true });
});
