import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createEntry } from './extract.js';
import { holeWriteStream } from './hole-writer.js';
import { headerFor } from './pack.js';
import { readTar, type TarEntry } from './read.js';
import { encodeMap, entryBytes, expandSparse } from './sparse.js';
import { makeTar, streamOf, tempDir } from './testing.js';
import { END_OF_ARCHIVE } from './writer.js';

const MiB = 1 << 20;
const noSys = { mknod: () => undefined, lsetxattr: () => undefined };
const createOptions = { sys: noSys, keepXattr: () => false, hardlinkSource: async () => null };

/** A file of `size` bytes with the given pieces of data and holes elsewhere. */
async function sparseFile(path: string, size: number, pieces: [number, string][]): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.truncate(size);
    for (const [offset, text] of pieces) await file.write(Buffer.from(text), 0, text.length, offset);
  } finally {
    await file.close();
  }
}

async function tarOf(dir: string, name: string): Promise<Buffer> {
  const path = join(dir, name);
  const st = lstatSync(path);
  const chunks: Buffer[] = [];
  for await (const chunk of entryBytes(await headerFor(path, name, st, new Map()), path, st)) chunks.push(chunk);
  return Buffer.concat([...chunks, END_OF_ARCHIVE]);
}

/** Extracts every entry of `tar` with the shared extraction code, each to `prefix` + its name. */
async function extract(tar: Buffer, prefix: string): Promise<TarEntry['header'][]> {
  const reader = await readTar(streamOf(tar));
  const headers: TarEntry['header'][] = [];
  for await (const entry of reader.entries()) {
    headers.push(entry.header);
    await createEntry(entry, prefix + entry.header.name.replace(/\//g, '_'), createOptions);
  }
  return headers;
}

/** Bytes the file occupies on disk. */
async function onDisk(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

describe('sparse files in tars', () => {
  test('a sparse file crosses a tar as its data only and is extracted with its holes', async () => {
    const tmp = await tempDir('berth-sparse-');
    try {
      const size = 256 * MiB;
      await sparseFile(join(tmp.path, 'disk.img'), size, [[0, 'head'], [100 * MiB + 5, 'middle'], [size - 3, 'end']]);
      const tar = await tarOf(tmp.path, 'disk.img');
      assert.ok(tar.length < 64 * 1024, `the tar holds the data, not the holes (${tar.length} bytes)`);
      const [header] = await extract(tar, join(tmp.path, 'x'));
      assert.equal(header!.name, 'disk.img');
      assert.equal(header!.size, size);
      const extracted = join(tmp.path, 'xdisk.img');
      const copy = await readFile(extracted);
      assert.equal(copy.length, size);
      assert.ok(copy.equals(await readFile(join(tmp.path, 'disk.img'))), 'same content');
      assert.ok((await onDisk(extracted)) < MiB, 'the holes stay holes');
    } finally {
      await tmp.cleanup();
    }
  });

  test('a file that ends in a hole keeps its size; a plain tar carrying zeros is written sparse too', async () => {
    const tmp = await tempDir('berth-sparse-');
    try {
      await sparseFile(join(tmp.path, 'tail'), 64 * MiB, [[MiB, 'data']]);
      await extract(await tarOf(tmp.path, 'tail'), join(tmp.path, 'a'));
      assert.equal((await stat(join(tmp.path, 'atail'))).size, 64 * MiB);
      const zeros = Buffer.alloc(32 * MiB);
      zeros.write('x', 8 * MiB + 1);
      await extract(await makeTar([{ name: 'zeros', content: zeros }]), join(tmp.path, 'b'));
      assert.ok((await readFile(join(tmp.path, 'bzeros'))).equals(zeros));
      assert.ok((await onDisk(join(tmp.path, 'bzeros'))) < MiB, 'zero blocks from a plain tar become holes');
    } finally {
      await tmp.cleanup();
    }
  });

  test('a stream written with holeWriteStream keeps its zero blocks as holes', async () => {
    const tmp = await tempDir('berth-sparse-');
    try {
      const data = [Buffer.from('start'), Buffer.alloc(16 * MiB), Buffer.from('end'), Buffer.alloc(8 * MiB)];
      await pipeline(Readable.from(data), holeWriteStream(join(tmp.path, 'f'), 0o600));
      assert.ok((await readFile(join(tmp.path, 'f'))).equals(Buffer.concat(data)));
      assert.ok((await onDisk(join(tmp.path, 'f'))) < MiB);
    } finally {
      await tmp.cleanup();
    }
  });

  test('GNU tar reads what we write, and we read what GNU tar writes (PAX 1.0)', { skip: spawnSync('tar', ['--version']).status !== 0 && 'no tar' }, async () => {
    const tmp = await tempDir('berth-sparse-');
    try {
      await sparseFile(join(tmp.path, 'img'), 48 * MiB, [[7, 'seven'], [40 * MiB, 'forty']]);
      const original = await readFile(join(tmp.path, 'img'));
      await writeFile(join(tmp.path, 'ours.tar'), await tarOf(tmp.path, 'img'));
      const gnuOut = join(tmp.path, 'gnu-out');
      assert.equal(spawnSync('mkdir', [gnuOut]).status, 0);
      const x = spawnSync('tar', ['-xf', join(tmp.path, 'ours.tar'), '-C', gnuOut], { encoding: 'utf8' });
      assert.equal(x.status, 0, x.stderr);
      assert.ok((await readFile(join(gnuOut, 'img'))).equals(original), 'GNU tar extracts the same file');
      const c = spawnSync('tar', ['--sparse', '--format=posix', '--sparse-version=1.0', '-cf', join(tmp.path, 'gnu.tar'), '-C', tmp.path, 'img'], { encoding: 'utf8' });
      assert.equal(c.status, 0, c.stderr);
      const [header] = await extract(await readFile(join(tmp.path, 'gnu.tar')), join(tmp.path, 'g'));
      assert.equal(header!.name, 'img');
      assert.ok((await readFile(join(tmp.path, 'gimg'))).equals(original), 'we extract the same file from GNU tar\'s');
    } finally {
      await tmp.cleanup();
    }
  });

  test('maps that lie are refused', async () => {
    const expand = async (stored: Buffer, realSize: number) => {
      for await (const _ of expandSparse(Readable.from([stored]), realSize)) void _;
    };
    const map = (text: string) => Buffer.concat([Buffer.from(text), Buffer.alloc(512 - text.length)]);
    await assert.rejects(expand(map('1\n0\n10\n'), 100), /data ends before its map does/);
    await assert.rejects(expand(Buffer.concat([map('1\n0\n2\n'), Buffer.from('abc')]), 100), /more data than its map announces/);
    await assert.rejects(expand(map('2\n50\n1\n10\n1\n'), 100), /out of order/);
    await assert.rejects(expand(map('1\n99\n2\n'), 100), /beyond the file/);
    await assert.rejects(expand(map('1\nx\n'), 100), /bad number/);
    await assert.rejects(expand(Buffer.from('1\n0\n'), 100), /truncated map/);
    assert.equal(encodeMap([{ offset: 0, length: 4 }], 10).toString('latin1').replace(/\0+$/, ''), '2\n0\n4\n10\n0\n');
  });
});
