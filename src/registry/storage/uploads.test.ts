import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256 } from '../../lib/digest.js';
import { Registry } from '../registry.js';

describe('upload store', () => {
  let root: string | undefined;
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('verifies on commit, keeps partial uploads invisible, and purges abandoned ones after a week', async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-uploads-'));
    const registry = await Registry.open({ root, deleteEnabled: false });
    const fresh = await registry.startUpload('a/b');
    const old = await registry.startUpload('a/b');
    await registry.uploads.append('a/b', fresh.id, Readable.from([Buffer.from('part')]), {});
    assert.deepEqual(await readdir(join(root, 'blobs', 'sha256')), [], 'nothing visible before commit');
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    await utimes(join(root, 'uploads', old.id, 'data'), weekAgo, weekAgo);
    assert.deepEqual(await registry.uploads.purgeStale(), [old.id]);
    assert.deepEqual(await registry.uploads.ids(), [fresh.id]);

    await assert.rejects(registry.commitUpload('a/b', fresh.id, sha256('wrong'), undefined, {}), { code: 'DIGEST_INVALID' });
    assert.deepEqual(await registry.uploads.ids(), [], 'a failed commit discards the upload');

    const good = await registry.startUpload('a/b');
    await registry.uploads.append('a/b', good.id, Readable.from([Buffer.from('hello ')]), { start: 0, end: 5, length: 6 });
    await assert.rejects(registry.uploads.append('a/b', good.id, Readable.from([Buffer.from('x')]), { start: 3 }), { code: 'RANGE_INVALID' });
    await assert.rejects(registry.uploads.append('a/b', good.id, Readable.from([Buffer.from('short')]), { length: 10 }), { code: 'SIZE_INVALID' });
    assert.equal((await registry.uploads.status('a/b', good.id)).size, 6, 'refused chunks leave the upload as it was');
    const size = await registry.commitUpload('a/b', good.id, sha256('hello world'), Readable.from([Buffer.from('world')]), {});
    assert.equal(size, 11);
    assert.equal(await registry.blobSize('a/b', sha256('hello world')), 11);
    await assert.rejects(registry.blobSize('c/d', sha256('hello world')), { code: 'BLOB_UNKNOWN' }, 'linked to its repository only');
  });
});
