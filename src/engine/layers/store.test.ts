import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { chainId, sha256, type Digest } from '../../lib/digest.js';
import { isEngineError } from '../../lib/errors.js';
import { isMountPoint, mountOverlay } from '../../platform/linux/mount.js';
import { backingFilesystem, createLayerStore, probeOverlay, type LayerDriver } from './store.js';
import { makeTar, streamOf, tempDir, type FixtureEntry } from './testing.js';
import type { LayerStore } from './types.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const BASE: FixtureEntry[] = [
  { name: 'etc/', mode: 0o755 },
  { name: 'etc/passwd', content: 'root:x:0:0' },
  { name: 'etc/group', content: 'root:x:0' },
  { name: 'bin/', mode: 0o755 },
  { name: 'bin/sh', content: '#!sh', mode: 0o755 },
  { name: 'bin/ash', type: 'link', linkname: 'bin/sh' },
  { name: 'var/', mode: 0o755 },
  { name: 'var/cache/', mode: 0o755 },
  { name: 'var/cache/a', content: 'a' },
  { name: 'var/log/', mode: 0o755 },
];

const CHILD: FixtureEntry[] = [
  { name: 'etc/', mode: 0o755 },
  { name: 'etc/.wh.group', content: '' },
  { name: 'etc/hostname', content: 'box' },
  { name: 'var/', mode: 0o755 },
  { name: 'var/cache/', mode: 0o755 },
  { name: 'var/cache/.wh..wh..opq', content: '' },
  { name: 'var/cache/b', content: 'b' },
  { name: 'bin/', mode: 0o755 },
  { name: 'bin/busybox', type: 'link', linkname: 'bin/sh' },
];

for (const driver of ['overlay2', 'vfs'] as LayerDriver[]) {
  describe(`layer store (${driver})`, () => {
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let root: string;
    let store: LayerStore;
    let base: Digest;
    let child: Digest;
    before(async () => {
      tmp = await tempDir(`berth-layers-${driver}-`);
      root = join(tmp.path, 'layers');
      store = await createLayerStore({ root, driver });
    });
    after(async () => tmp.cleanup());

    const mountpoint = (name: string) => {
      const dir = join(tmp.path, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };

    test('a held layer is not removed until every hold is released; keep() refuses too', async () => {
      const tar = await makeTar([{ name: `held-${driver}`, content: 'x' }]);
      const made = await store.create(null, streamOf(tar), undefined, { hold: true });
      const found = await store.create(null, streamOf(tar), sha256(tar), { hold: true });
      assert.deepEqual([made.created, found.created], [true, false]);
      await assert.rejects(store.remove(made.chainId), /is in use/);
      store.release(made.chainId);
      await assert.rejects(store.remove(made.chainId), /is in use/, 'the second hold still counts');
      store.release(made.chainId);
      await assert.rejects(store.remove(made.chainId, { keep: () => true }), /is in use/);
      await store.remove(made.chainId);
      assert.equal(await store.get(made.chainId), null);
    });

    test('creates layers with diff ID, chain ID, parent and size', async () => {
      const baseTar = await makeTar(BASE);
      const info = await store.create(null, streamOf(baseTar));
      assert.equal(info.diffId, sha256(baseTar));
      assert.equal(info.chainId, info.diffId);
      assert.equal(info.parent, null);
      assert.equal(info.size, 'root:x:0:0'.length + 'root:x:0'.length + 4 + 1);
      base = info.chainId;
      const childTar = await makeTar(CHILD);
      const second = await store.create(base, streamOf(childTar), sha256(childTar));
      child = second.chainId;
      assert.equal(child, chainId(base, sha256(childTar)));
      const { created, ...stored } = second;
      assert.equal(created, true, 'made, not found');
      assert.deepEqual(await store.get(child), stored);
      assert.deepEqual((await store.list()).map((l) => l.chainId).sort(), [base, child].sort());
      assert.equal(store.driver, driver);
    });

    test('an existing chain is shared: the stream is drained, the layer returned', async () => {
      const tar = await makeTar(BASE);
      const stream = streamOf(tar);
      const again = await store.create(null, stream, sha256(tar));
      assert.equal(again.chainId, base);
      assert.equal(again.created, false, 'found, not made');
      assert.equal(stream.readableEnded, true);
      assert.equal((await store.create(null, streamOf(tar))).chainId, base);
      assert.equal((await store.list()).length, 2);
    });

    test('verified: the tar is trusted to hash to the expected diff ID and not hashed again', async () => {
      const tar = await makeTar([{ name: 'verified', content: 'v' }]);
      // A claimed ID that is not the tar's hash shows that nothing re-hashed it.
      const claimed = sha256(Buffer.from('the content store checked these bytes'));
      const info = await store.create(null, streamOf(tar), claimed, { verified: true });
      assert.equal(info.diffId, claimed);
      await store.remove(info.chainId);
    });

    test('a wrong expected diff ID or a hostile tar keeps nothing', async () => {
      const before = readdirSync(root).sort();
      const tar = await makeTar([{ name: 'x', content: 'x' }]);
      await assert.rejects(() => store.create(null, streamOf(tar), sha256('other')), (err) => isEngineError(err, 'invalid') && /diff ID mismatch/.test(err.message));
      const hostile = await makeTar([{ name: 'ok', content: 'fine' }, { name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'l/passwd', content: 'pwned' }]);
      await assert.rejects(() => store.create(base, streamOf(hostile)), /invalid tar entry "l\/passwd"/);
      assert.deepEqual(readdirSync(root).sort(), before);
      if (driver === 'overlay2') assert.equal(readdirSync(join(root, 'l')).length, 2);
      await assert.rejects(() => store.create(sha256('missing'), streamOf(tar)), (err) => isEngineError(err, 'notFound'));
    });

    test('rw layer: merged view, changes, export, commit as a new layer', async () => {
      const rw = await store.createRw('ctr1', child);
      assert.deepEqual(await store.getRw('ctr1'), rw);
      const merged = mountpoint('merged1');
      await store.mountRw('ctr1', merged);
      await store.mountRw('ctr1', merged); // idempotent
      assert.ok(isMountPoint(merged));
      assert.equal(readFileSync(join(merged, 'etc/passwd'), 'utf8'), 'root:x:0:0');
      assert.equal(existsSync(join(merged, 'etc/group')), false, 'whited out by the child layer');
      assert.deepEqual(readdirSync(join(merged, 'var/cache')), ['b'], 'opaque dir hides the base');
      assert.equal(lstatSync(join(merged, 'bin/busybox')).ino, lstatSync(join(merged, 'bin/sh')).ino);

      writeFileSync(join(merged, 'etc/passwd'), 'root:x:0:0\nuser:x:1000');
      writeFileSync(join(merged, 'new-file'), 'new');
      rmSync(join(merged, 'etc/hostname'));
      rmSync(join(merged, 'var/log'), { recursive: true });
      const changes = await store.changesRw('ctr1');
      const byPath = new Map(changes.map((c) => [c.path, c.kind]));
      assert.equal(byPath.get('/etc/passwd'), 0);
      assert.equal(byPath.get('/new-file'), 1);
      assert.equal(byPath.get('/etc/hostname'), 2);
      assert.equal(byPath.get('/var/log'), 2);
      assert.equal(byPath.get('/etc'), 0);

      const exported = await collect(store.exportRw('ctr1'));
      assert.deepEqual(await collect(store.exportRw('ctr1')), exported, 'exports are reproducible');
      const committed = await store.create(child, streamOf(exported));
      assert.equal(committed.diffId, sha256(exported));
      await store.unmountRw('ctr1', merged);
      assert.equal(isMountPoint(merged), false);
      await store.removeRw('ctr1');
      assert.equal(await store.getRw('ctr1'), null);

      await store.createRw('ctr2', committed.chainId);
      const view = mountpoint('merged2');
      await store.mountRw('ctr2', view);
      assert.equal(readFileSync(join(view, 'etc/passwd'), 'utf8'), 'root:x:0:0\nuser:x:1000');
      assert.equal(readFileSync(join(view, 'new-file'), 'utf8'), 'new');
      assert.equal(existsSync(join(view, 'etc/hostname')), false);
      assert.equal(existsSync(join(view, 'var/log')), false);
      assert.equal(existsSync(join(view, 'etc/group')), false);
      assert.deepEqual(readdirSync(join(view, 'var/cache')), ['b']);
      await store.unmountRw('ctr2', view);
      await assert.rejects(() => store.remove(committed.chainId), (err) => isEngineError(err, 'conflict'));
      await store.removeRw('ctr2');
      await store.remove(committed.chainId);
    });

    test('round trip: exports are stable and re-apply on the parent to the same view', async () => {
      const baseExport = await collect(store.exportLayer(base));
      const childExport = await collect(store.exportLayer(child));
      assert.deepEqual(await collect(store.exportLayer(child)), childExport);
      const other = await createLayerStore({ root: join(tmp.path, 'other'), driver });
      const base2 = await other.create(null, streamOf(baseExport));
      const child2 = await other.create(base2.chainId, streamOf(childExport));
      assert.equal(child2.diffId, sha256(childExport));
      assert.deepEqual(await collect(other.exportLayer(child2.chainId)), childExport, 'export → extract → export is a fixed point');
      await other.createRw('check', child2.chainId);
      const view = mountpoint('roundtrip');
      await other.mountRw('check', view);
      assert.equal(existsSync(join(view, 'etc/group')), false);
      assert.equal(readFileSync(join(view, 'etc/hostname'), 'utf8'), 'box');
      assert.deepEqual(readdirSync(join(view, 'var/cache')), ['b']);
      assert.equal(readFileSync(join(view, 'bin/busybox'), 'utf8'), '#!sh');
      if (driver === 'overlay2') {
        // vfs exports only changed paths, so a new link to an unchanged file travels as a copy (as in Docker).
        assert.equal(lstatSync(join(view, 'bin/busybox')).ino, lstatSync(join(view, 'bin/sh')).ino);
      }
      await other.unmountRw('check', view);
    });

    test('remove refuses layers in use, then deletes', async () => {
      await assert.rejects(() => store.remove(base), (err) => isEngineError(err, 'conflict') && /in use by layer/.test(err.message));
      await store.createRw('holder', base);
      await store.remove(child);
      await assert.rejects(() => store.remove(base), /in use by read-write layer holder/);
      await store.removeRw('holder');
      await store.remove(base);
      assert.deepEqual(await store.list(), []);
      await assert.rejects(() => store.remove(base), (err) => isEngineError(err, 'notFound'));
      if (driver === 'overlay2') assert.deepEqual(readdirSync(join(root, 'l')), []);
    });

    test('rw layer IDs are validated and unique', async () => {
      await assert.rejects(() => store.createRw('../escape', null), (err) => isEngineError(err, 'invalid'));
      await store.createRw('solo', null);
      await assert.rejects(() => store.createRw('solo', null), (err) => isEngineError(err, 'conflict'));
      const view = mountpoint('solo');
      await store.mountRw('solo', view);
      writeFileSync(join(view, 'f'), 'x');
      assert.deepEqual(await store.changesRw('solo'), [{ path: '/f', kind: 1 }]);
      await store.unmountRw('solo', view);
      await store.removeRw('solo');
    });

    test('read-write layers are created and removed concurrently; one ID wins once', async () => {
      const ids = Array.from({ length: 8 }, (_, i) => `many${i}`);
      await Promise.all(ids.map((id) => store.createRw(id, null)));
      const twice = await Promise.allSettled([store.createRw('dup', null), store.createRw('dup', null)]);
      assert.equal(twice.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(twice.some((r) => r.status === 'rejected' && isEngineError(r.reason, 'conflict')));
      const gone = await Promise.allSettled([store.removeRw('dup'), store.removeRw('dup')]);
      assert.equal(gone.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(gone.some((r) => r.status === 'rejected' && isEngineError(r.reason, 'notFound')));
      await Promise.all(ids.map((id) => store.removeRw(id)));
      assert.equal(await store.getRw('many0'), null);
      await store.settled();
      assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.tmp-') || n.startsWith('.trash-')), []);
    });

    test('a read-write layer whose record did not reach the disk is deleted when the store opens; others stay', async () => {
      await store.createRw('torn', null);
      await store.createRw('whole', null);
      writeFileSync(join(root, 'torn', 'meta.json'), ''); // what a power loss can leave of an unsynced record
      const reopened = await createLayerStore({ root, driver });
      assert.equal(existsSync(join(root, 'torn')), false);
      assert.equal((await reopened.getRw('whole'))?.id, 'whole');
      await reopened.removeRw('whole');
      await reopened.settled();
      assert.equal(existsSync(join(root, 'whole')), false);
    });

    test('leftovers of an interrupted create are cleaned when the store opens', async () => {
      mkdirSync(join(root, '.tmp-deadbeef', 'diff'), { recursive: true });
      mkdirSync(join(root, '.trash-deadbeef'), { recursive: true });
      if (driver === 'overlay2') symlinkSync('../nothing/diff', join(root, 'l', 'DANGLING'));
      await createLayerStore({ root, driver });
      assert.equal(existsSync(join(root, '.tmp-deadbeef')), false);
      assert.equal(existsSync(join(root, '.trash-deadbeef')), false);
      if (driver === 'overlay2') assert.deepEqual(readdirSync(join(root, 'l')), []);
      await assert.rejects(() => createLayerStore({ root, driver: driver === 'vfs' ? 'overlay2' : 'vfs' }), /was created by the/);
    });

    test('status names the backing filesystem', async () => {
      const status = new Map(await store.status());
      assert.equal(status.get('Backing Filesystem'), backingFilesystem(root));
    });
  });
}

describe('overlay2 at scale and on unusable filesystems', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (tmp = await tempDir('berth-layers-scale-')));
  after(async () => tmp.cleanup());

  test('100 stacked layers mount under one rw layer', async () => {
    const store = await createLayerStore({ root: join(tmp.path, 'layers'), driver: 'overlay2' });
    let parent: Digest | null = null;
    for (let i = 0; i < 100; i++) {
      const entries: FixtureEntry[] = [{ name: `layer${i}`, content: String(i) }];
      if (i > 0) entries.push({ name: `.wh.layer${i - 1}`, content: '' });
      parent = (await store.create(parent, streamOf(await makeTar(entries)))).chainId;
    }
    await store.createRw('deep', parent);
    const view = join(tmp.path, 'view');
    mkdirSync(view);
    await store.mountRw('deep', view);
    assert.deepEqual(readdirSync(view), ['layer99']);
    writeFileSync(join(view, 'top'), 'rw');
    assert.deepEqual(await store.changesRw('deep'), [{ path: '/top', kind: 1 }]);
    await store.unmountRw('deep', view);
  });

  test('overlay2 on an overlayfs root is refused clearly; vfs works there', async () => {
    const dirs = ['lower', 'upper', 'work', 'merged'].map((name) => {
      mkdirSync(join(tmp.path, name));
      return join(tmp.path, name);
    });
    mountOverlay(dirs[3]!, { lower: [dirs[0]!], upper: dirs[1]!, work: dirs[2]! });
    const root = join(dirs[3]!, 'layers');
    const probe = await probeOverlay(dirs[3]!);
    assert.equal(probe.supported, false);
    await assert.rejects(() => createLayerStore({ root, driver: 'overlay2' }), (err) => {
      assert.ok(isEngineError(err, 'unavailable'));
      assert.match(err.message, /overlay2 storage driver cannot be used .*overlayfs.*use the vfs driver/);
      return true;
    });
    rmSync(root, { recursive: true });
    const vfs = await createLayerStore({ root, driver: 'vfs' });
    const layer = await vfs.create(null, streamOf(await makeTar([{ name: 'f', content: 'x' }])));
    assert.equal(readFileSync(join(vfs.diffDir(layer.chainId), 'f'), 'utf8'), 'x');
    assert.equal(backingFilesystem(root), 'overlayfs');
  });

  test('probeOverlay succeeds on the test filesystem and leaves nothing', async () => {
    const dir = join(tmp.path, 'probe');
    mkdirSync(dir);
    assert.deepEqual(await probeOverlay(dir), { supported: true });
    assert.deepEqual(readdirSync(dir), []);
  });
});
