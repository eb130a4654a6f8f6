import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tempDir } from '../../lib/tar/testing.js';
import { spoolContext } from './context-spool.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Spools `data` sent in pieces of the given sizes (cycled); checks the file holds exactly the bytes; returns the key. */
async function keyOf(data: Buffer, pieces: number[], limit = 64 * MiB): Promise<string | null> {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = pieces[i % pieces.length]!;
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  const tmp = await tempDir('berth-spool-');
  try {
    const path = join(tmp.path, 'context.tar');
    const spooled = await spoolContext(Readable.from(chunks), path, limit);
    assert.equal(spooled.bytes, data.length);
    assert.ok((await readFile(path)).equals(data), 'the file holds the bytes unchanged');
    return spooled.key;
  } finally {
    await tmp.cleanup();
  }
}

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
  assert.match(whole ?? '', /^sha256:[0-9a-f]{64}$/);
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

test('a context larger than the limit has no key', async () => {
  const data = sample();
  assert.equal(await keyOf(data, [64 * KiB], 512 * KiB), null);
  assert.notEqual(await keyOf(data, [64 * KiB], data.length), null);
});

test('zeros are left as holes, also where the stream ends in zeros', async () => {
  const data = Buffer.alloc(64 * MiB);
  data.fill('x', 5 * MiB, 5 * MiB + 10);
  data.fill('y', 40 * MiB + 3, 40 * MiB + 100 * KiB);
  const tmp = await tempDir('berth-spool-');
  try {
    const path = join(tmp.path, 'context.tar');
    await spoolContext(Readable.from([data.subarray(0, 33 * MiB + 5), data.subarray(33 * MiB + 5)]), path, 0);
    const st = await stat(path);
    assert.equal(st.size, data.length);
    assert.ok(st.blocks * 512 <= 1 * MiB, `${st.blocks} blocks of 512 bytes for 64 MiB with ~100 KiB of data`);
    assert.ok((await readFile(path)).equals(data));
  } finally {
    await tmp.cleanup();
  }
});

test('a failing input rejects and leaves no listener behind', async () => {
  const tmp = await tempDir('berth-spool-');
  try {
    const input = new Readable({ read() {} });
    input.push(Buffer.alloc(100 * KiB, 1));
    setImmediate(() => input.destroy(new Error('client went away')));
    await assert.rejects(spoolContext(input, join(tmp.path, 'context.tar'), 64 * MiB), /client went away/);
    assert.equal(input.listenerCount('data'), 0);
  } finally {
    await tmp.cleanup();
  }
});
