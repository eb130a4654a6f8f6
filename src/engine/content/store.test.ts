import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsContentStore } from './store.js';
import { sha256 } from '../../lib/digest.js';
import { isEngineError } from '../../lib/errors.js';

async function withStore(fn: (store: FsContentStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-content-'));
  try {
    await fn(await FsContentStore.open(root), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('writes a blob under its digest and reads it back', () =>
  withStore(async (store) => {
    const { digest, size } = await store.write(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    assert.equal(digest, sha256('hello world'));
    assert.equal(size, 11);
    assert.equal((await store.read(digest)).toString(), 'hello world');
    assert.deepEqual(await store.list(), [digest]);
    assert.equal(await store.size(digest), 11);
  }));

test('refuses content whose digest does not match and keeps nothing', () =>
  withStore(async (store, root) => {
    await assert.rejects(store.write(Buffer.from('abc'), sha256('xyz')), (err) => isEngineError(err, 'invalid'));
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await readdir(join(root, 'ingest')), []);
  }));

test('refuses content whose size does not match', () =>
  withStore(async (store) => {
    await assert.rejects(store.write(Buffer.from('abc'), sha256('abc'), 4), (err) => isEngineError(err, 'invalid'));
    assert.equal(await store.has(sha256('abc')), false);
  }));

test('reports missing blobs as notFound and rejects malformed digests', () =>
  withStore(async (store) => {
    await assert.rejects(store.read(sha256('nope')), (err) => isEngineError(err, 'notFound'));
    assert.throws(() => store.path('sha256:../../etc/passwd' as never), (err) => isEngineError(err, 'invalid'));
  }));

test('clears interrupted ingest files on open', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-content-'));
  try {
    await mkdir(join(root, 'ingest'), { recursive: true });
    await writeFile(join(root, 'ingest', 'partial'), 'half a blob');
    await FsContentStore.open(root);
    assert.deepEqual(await readdir(join(root, 'ingest')), []);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
