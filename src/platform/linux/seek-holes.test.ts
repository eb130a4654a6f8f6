import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { holeReadStream, readWithHoles, WINDOW, type HoleSeeker } from '../../lib/tar/hole-reader.js';
import { holeWriteStream } from '../../lib/tar/hole-writer.js';
import { isHole } from '../../lib/tar/zeros.js';
import * as sys from './sys.js';

/**
 * lseek's SEEK_DATA / SEEK_HOLE through the addon, and the hole-aware reader
 * and writer on a real sparse file: the content round-trips exactly, the
 * holes are handed out without reads, and the copy stays sparse.
 */

const dir = mkdtempSync(join(tmpdir(), 'berth-holes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1 << 20;
const SIZE = 64 * MiB + 12345; // not a whole number of windows

/** A sparse file with a little data at the start, in the middle (across a window boundary) and at the end. */
async function sparseFile(name: string): Promise<string> {
  const path = join(dir, name);
  const file = await open(path, 'w');
  try {
    await file.truncate(SIZE);
    await file.write(Buffer.from('head'), 0, 4, 0);
    await file.write(Buffer.alloc(8192, 'm'), 0, 8192, 20 * MiB - 4096);
    await file.write(Buffer.from('tail'), 0, 4, SIZE - 4);
  } finally {
    await file.close();
  }
  return path;
}

async function collect(path: string, offset: number, length: number, seeker?: HoleSeeker): Promise<Buffer[]> {
  const file = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of readWithHoles(file, offset, length, seeker)) chunks.push(chunk);
    return chunks;
  } finally {
    await file.close();
  }
}

test('seekData and seekHole find the data of a sparse file', async () => {
  const path = await sparseFile('seek');
  const file = await open(path, 'r');
  try {
    assert.equal(sys.seekData(file.fd, 0), 0);
    const firstHole = sys.seekHole(file.fd, 0);
    assert.ok(firstHole >= 4 && firstHole <= MiB, `first hole at ${firstHole}`);
    const middle = sys.seekData(file.fd, firstHole);
    assert.ok(middle <= 20 * MiB - 4096 && middle > 19 * MiB, `middle data at ${middle}`);
    assert.ok(sys.seekData(file.fd, 21 * MiB) >= SIZE - 4096 * 2);
    assert.equal(sys.seekData(file.fd, SIZE), -1, 'nothing at the end');
    assert.equal(sys.seekHole(file.fd, SIZE - 1), SIZE, 'the end counts as a hole');
  } finally {
    await file.close();
  }
});

test('readWithHoles gives the exact content, in the same pieces, with holes unread', async () => {
  const path = await sparseFile('read');
  const expected = await readFile(path);
  const plain = await collect(path, 0, SIZE);
  const seeking = await collect(path, 0, SIZE, sys);
  assert.deepEqual(Buffer.concat(seeking), expected);
  assert.deepEqual(seeking.map((c) => c.length), plain.map((c) => c.length), 'pieces are cut at the same places');
  assert.equal(plain.filter(isHole).length, 0, 'without a seeker everything is read');
  const holes = seeking.filter(isHole).length;
  assert.ok(holes >= 60, `${holes} of ${seeking.length} windows handed out as holes`);
  assert.ok(seeking.every((c) => c.length <= WINDOW));
  // A range that starts and ends inside windows.
  const from = 20 * MiB - 5000;
  assert.deepEqual(Buffer.concat(await collect(path, from, 3 * MiB, sys)), expected.subarray(from, from + 3 * MiB));
});

test('a file without holes reads as it is', async () => {
  const path = join(dir, 'dense');
  const content = Buffer.alloc(3 * MiB + 7, 'd');
  await writeFile(path, content);
  const chunks = await collect(path, 0, content.length, sys);
  assert.deepEqual(Buffer.concat(chunks), content);
  assert.equal(chunks.filter(isHole).length, 0);
});

test('reading past a shrunk end gives zeros, so the announced size holds', async () => {
  const path = await sparseFile('shrunk');
  const chunks = await collect(path, 0, SIZE + 3 * MiB, sys);
  const all = Buffer.concat(chunks);
  assert.equal(all.length, SIZE + 3 * MiB);
  assert.ok(all.subarray(SIZE).equals(Buffer.alloc(3 * MiB)));
});

test('holeReadStream into holeWriteStream copies a sparse file that stays sparse', async () => {
  const source = await sparseFile('source');
  const copy = join(dir, 'copy');
  await pipeline(holeReadStream(source, sys), holeWriteStream(copy, 0o600));
  assert.deepEqual(await readFile(copy), await readFile(source));
  const st = await stat(copy);
  assert.equal(st.size, SIZE);
  assert.ok(st.blocks * 512 < MiB, `the copy takes ${st.blocks * 512} bytes of disk`);
});
