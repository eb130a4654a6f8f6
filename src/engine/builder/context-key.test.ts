import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { ContextKeyStream } from './context-key.js';

/** The key of `data` sent in pieces of the given sizes (cycled), and whether every byte came through unchanged. */
async function keyOf(data: Buffer, pieces: number[]): Promise<string> {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = pieces[i % pieces.length]!;
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  const key = new ContextKeyStream();
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), key, new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) }));
  assert.deepEqual(Buffer.concat(out), data, 'passes the bytes on unchanged');
  assert.equal(key.bytes, data.length);
  return key.digest();
}

const KiB = 1024;
/** Data, a run of zeros long enough for whole zero blocks, data again, and an odd tail. */
function sample(): Buffer {
  const data = Buffer.alloc(1000 * KiB + 77);
  data.fill('a', 0, 100 * KiB);
  data.fill('b', 700 * KiB, 710 * KiB);
  data.fill('c', 1000 * KiB);
  return data;
}

test('the key depends on the bytes, not on how they arrive', async () => {
  const data = sample();
  const whole = await keyOf(data, [data.length]);
  assert.equal(await keyOf(data, [64 * KiB]), whole);
  assert.equal(await keyOf(data, [1, 65535, 100_000, 3 * 64 * KiB + 5]), whole);
  assert.equal(await keyOf(data, [7 * KiB]), whole);
});

test('any changed byte changes the key, in zero blocks and data alike', async () => {
  const data = sample();
  const original = await keyOf(data, [64 * KiB]);
  for (const at of [0, 300 * KiB, 705 * KiB, data.length - 1]) {
    const changed = Buffer.from(data);
    changed[at] = changed[at] === 0 ? 1 : 0;
    assert.notEqual(await keyOf(changed, [64 * KiB]), original, `byte ${at}`);
  }
  assert.notEqual(await keyOf(Buffer.concat([data, Buffer.alloc(64 * KiB)]), [64 * KiB]), original, 'a longer run of zeros');
});
