import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { hexOf, sha256, type Digest } from '../../lib/digest.js';
import { isEngineError } from '../../lib/errors.js';
import { createLayerStore, type LayerDriver } from './store.js';
import { TAR_SPLIT_FILE } from './tar-split.js';
import { makeTar, streamOf, tempDir, type FixtureEntry } from './testing.js';
import type { LayerStore } from './types.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const BASE: FixtureEntry[] = [
  { name: 'etc/', mode: 0o755 },
  { name: 'etc/passwd', content: 'root:x:0:0\n' },
  { name: 'etc/group', content: 'root:x:0\n' },
  { name: 'bin/', mode: 0o755 },
  { name: 'bin/sh', content: Buffer.alloc(70_000, 7), mode: 0o755 },
  { name: 'bin/ash', type: 'link', linkname: 'bin/sh' },
  { name: 'bin/rsh', type: 'symlink', linkname: 'sh' },
  { name: `deep/${'long-name/'.repeat(20)}file`, content: 'pax path' },
  { name: 'empty', content: '' },
  { name: 'caps', content: 'x', pax: { 'SCHILY.xattr.user.note': 'kept' } },
];

/** A tar that writes some paths twice and whites out one of its own files: the tree alone cannot give it back. */
const REWRITES: FixtureEntry[] = [
  { name: 'a', content: 'first version' },
  { name: 'a', content: 'second, longer version' },
  { name: 'd/', mode: 0o755 },
  { name: 'd/inner', content: 'inside d' },
  { name: 'd', content: 'd is a file now' },
  { name: 'gone', content: 'whited out below' },
  { name: '.wh.gone', content: '' },
  { name: 'b', content: 'kept' },
];

for (const driver of ['overlay2', 'vfs'] as LayerDriver[]) {
  describe(`tar-split (${driver})`, () => {
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let store: LayerStore;
    before(async () => {
      tmp = await tempDir(`berth-tarsplit-${driver}-`);
      store = await createLayerStore({ root: join(tmp.path, 'layers'), driver });
    });
    after(async () => tmp.cleanup());

    async function roundTrip(tar: Buffer, parent: Digest | null = null): Promise<Digest> {
      const info = await store.create(parent, streamOf(tar));
      assert.equal(info.diffId, sha256(tar));
      const regenerated = await store.layerTar(info.chainId);
      assert.ok(regenerated);
      assert.equal(regenerated.size, tar.length);
      assert.ok((await collect(regenerated.stream)).equals(tar));
      return info.chainId;
    }

    test('gives back the exact tar: headers, PAX records, links, empty files, trailing padding', async () => {
      const tar = await makeTar(BASE);
      await roundTrip(Buffer.concat([tar, Buffer.alloc(8192)])); // padded to a record, as some tools write
    });

    for (const format of ['gnu', 'posix', 'ustar']) {
      test(`a tar from GNU tar (${format}: long names, hardlinks, record padding) comes back the same`, async () => {
        const src = join(tmp.path, `src-${format}`);
        const long = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
        mkdirSync(join(src, format === 'ustar' ? 'short' : long), { recursive: true });
        const file = join(src, format === 'ustar' ? 'short' : long, 'file');
        writeFileSync(file, Buffer.alloc(3000, 5));
        linkSync(file, join(src, 'hardlink'));
        writeFileSync(join(src, 'empty'), '');
        const tar = execFileSync('tar', ['-c', `--format=${format}`, '-C', src, '.']);
        await roundTrip(tar);
      });
    }

    test('a gzip tar is kept as its uncompressed form (what the diff ID covers)', async () => {
      const tar = await makeTar([{ name: 'z', content: 'zipped' }]);
      const info = await store.create(null, streamOf(gzipSync(tar)));
      const regenerated = await store.layerTar(info.chainId);
      assert.ok((await collect(regenerated!.stream)).equals(tar));
    });

    test('data the tar itself overwrote or removed is kept in the metadata', async () => {
      const base = await roundTrip(await makeTar([{ name: 'x', content: 'base' }]));
      await roundTrip(await makeTar(REWRITES), base);
    });

    test('no tar is stored: only the tree and a small metadata file', async () => {
      const tar = await makeTar([{ name: 'big', content: Buffer.alloc(1 << 20, 1) }]);
      const info = await store.create(null, streamOf(tar));
      const dir = join(tmp.path, 'layers', hexOf(info.chainId));
      assert.ok(readdirSync(dir).includes(TAR_SPLIT_FILE));
      const { size } = statSync(join(dir, TAR_SPLIT_FILE));
      assert.ok(size < 4096, `metadata is ${size} bytes`);
    });

    test('a file changed after the layer was made fails the regeneration clearly', async () => {
      const tar = await makeTar([{ name: 'victim', content: 'original' }, { name: 'other', content: 'y' }]);
      const info = await store.create(null, streamOf(tar));
      appendFileSync(join(store.diffDir(info.chainId), 'victim'), '!');
      const regenerated = await store.layerTar(info.chainId);
      await assert.rejects(collect(regenerated!.stream), (err) => isEngineError(err, 'invalid') && /victim is not the 8 bytes/.test(err.message));
    });

    test('same length, other bytes: the digest check catches it', async () => {
      const tar = await makeTar([{ name: 'swapped', content: 'abc' }]);
      const info = await store.create(null, streamOf(tar));
      const path = join(store.diffDir(info.chainId), 'swapped');
      writeFileSync(path, 'xyz');
      const regenerated = await store.layerTar(info.chainId);
      await assert.rejects(collect(regenerated!.stream), (err) => isEngineError(err, 'invalid') && /not sha256:/.test(err.message));
    });

    test('a layer made before tar-split (no metadata) answers null', async () => {
      const tar = await makeTar([{ name: 'old', content: 'pre' }]);
      const info = await store.create(null, streamOf(tar));
      const dir = join(tmp.path, 'layers', hexOf(info.chainId));
      rmSync(join(dir, TAR_SPLIT_FILE));
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
      delete meta.tarSize;
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
      assert.equal(await store.layerTar(info.chainId), null);
      assert.deepEqual(await store.get(info.chainId), { chainId: info.chainId, diffId: info.diffId, parent: null, size: info.size });
    });
  });
}
