import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { chainId, sha256, type Digest } from '../../../lib/digest.js';
import { notFound } from '../../../lib/errors.js';
import { makeTar } from '../../../lib/tar/testing.js';
import type { ContentStore } from '../../content/types.js';
import type { CreatedLayer, LayerStore } from '../../layers/types.js';
import { loadArchive } from './load.js';

/** In-memory stand-ins for the two stores, recording what load asked of them. */
class Stores {
  readonly blobs = new Map<Digest, Buffer>();
  readonly layers = new Map<Digest, { info: CreatedLayer; tar: Buffer }>();
  /** The parent and diff ID of each create, in order. */
  readonly creates: { parent: Digest | null; diffId: Digest }[] = [];
  readonly staged: Digest[] = [];

  content(): ContentStore {
    const blobs = this.blobs;
    const staged = this.staged;
    return {
      async write(data, expected) {
        const chunks: Buffer[] = [];
        if (data instanceof Uint8Array) chunks.push(Buffer.from(data));
        else for await (const chunk of data) chunks.push(Buffer.from(chunk));
        const bytes = Buffer.concat(chunks);
        const digest = sha256(bytes);
        if (expected && expected !== digest) throw new Error(`digest ${digest}, expected ${expected}`);
        blobs.set(digest, bytes);
        staged.push(digest);
        return { digest, size: bytes.length };
      },
      has: async (digest) => blobs.has(digest),
      size: async (digest) => blobs.get(digest)?.length ?? 0,
      read: async (digest) => blobs.get(digest) ?? Promise.reject(notFound(digest)),
      open: (digest) => Readable.from([blobs.get(digest)!]),
      path: (digest) => digest,
      delete: async (digest) => void blobs.delete(digest),
      list: async () => [...blobs.keys()],
    };
  }

  layerStore(): LayerStore {
    const { layers, creates } = this;
    const store = {
      async create(parent: Digest | null, tar: Readable): Promise<CreatedLayer> {
        const chunks: Buffer[] = [];
        for await (const chunk of tar) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        const diffId = sha256(bytes);
        creates.push({ parent, diffId });
        const chain = chainId(parent, diffId);
        const existing = layers.get(chain);
        if (existing) return { ...existing.info, created: false };
        const info = { chainId: chain, diffId, parent, size: bytes.length, created: true };
        layers.set(chain, { info, tar: bytes });
        return info;
      },
      get: async (chain: Digest) => layers.get(chain)?.info ?? null,
      remove: async (chain: Digest) => void layers.delete(chain),
      layerTar: async (chain: Digest) => {
        const layer = layers.get(chain);
        return layer ? { stream: Readable.from([layer.tar]), size: layer.tar.length } : null;
      },
    };
    return store as unknown as LayerStore;
  }

  /** What the image service's commit does with a config: each missing layer made from its staged tar. */
  async register(configBytes: Buffer): Promise<Digest> {
    const diffIds = (JSON.parse(configBytes.toString()) as { rootfs: { diff_ids: Digest[] } }).rootfs.diff_ids;
    let parent: Digest | null = null;
    const layerStore = this.layerStore();
    for (const diffId of diffIds) {
      const chain = chainId(parent, diffId);
      if (!this.layers.has(chain)) await layerStore.create(parent, Readable.from([this.blobs.get(diffId)!]));
      parent = chain;
    }
    return sha256(configBytes);
  }
}

/** A two-layer legacy archive; `lie` makes the second layer's json name no parent. */
async function legacyArchive(options: { lie?: boolean } = {}) {
  const tars = [await makeTar([{ name: 'a', content: randomBytes(64) }]), await makeTar([{ name: 'b', content: randomBytes(64) }])];
  const diffIds = tars.map((t) => sha256(t));
  const ids = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }));
  const configName = `${sha256(config).slice(7)}.json`;
  const entries = [
    { name: `${ids[0]}/json`, content: JSON.stringify({ id: ids[0] }) },
    { name: `${ids[0]}/layer.tar`, content: tars[0]! },
    { name: `${ids[1]}/json`, content: JSON.stringify(options.lie ? { id: ids[1] } : { id: ids[1], parent: ids[0] }) },
    { name: `${ids[1]}/layer.tar`, content: tars[1]! },
    { name: configName, content: config },
    { name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: ['x:1'], Layers: ids.map((id) => `${id}/layer.tar`) }]) },
  ];
  // `cut`: the same archive ending before its config and manifest.
  return { archive: await makeTar(entries), cut: await makeTar(entries.slice(0, 4)), diffIds };
}

async function load(stores: Stores, archive: Buffer): Promise<void> {
  const deps = { content: stores.content(), layers: stores.layerStore() };
  await loadArchive(deps, Readable.from([archive]), { progress: () => undefined, quiet: true, commit: (bytes) => stores.register(bytes) });
}

test('a legacy archive with parent links is extracted layer by layer as it streams, nothing staged', async () => {
  const stores = new Stores();
  const { archive, diffIds } = await legacyArchive();
  await load(stores, archive);
  assert.deepEqual(stores.creates, [
    { parent: null, diffId: diffIds[0] },
    { parent: diffIds[0], diffId: diffIds[1] },
  ]);
  assert.deepEqual(stores.staged, [], 'no layer tar went through the content store');
  assert.deepEqual([...stores.layers.keys()].sort(), [diffIds[0], chainId(diffIds[0]!, diffIds[1]!)].sort());
});

test('a layer whose json names the wrong parent is re-made on the manifest\'s parent from its regenerated tar', async () => {
  const stores = new Stores();
  const { archive, diffIds } = await legacyArchive({ lie: true });
  await load(stores, archive);
  assert.deepEqual(stores.staged, [diffIds[1]], 'the misplaced layer\'s tar is staged for its true parent');
  assert.deepEqual([...stores.layers.keys()].sort(), [diffIds[0], chainId(diffIds[0]!, diffIds[1]!)].sort(), 'the misplaced layer is gone');
});

test('an archive that ends before its manifest leaves no layer it made; layers that were there already stay', async () => {
  const stores = new Stores();
  const fresh = await legacyArchive();
  await assert.rejects(load(stores, fresh.cut), /no manifest.json/);
  assert.equal(stores.creates.length, 2, 'both layers were streamed');
  assert.deepEqual([...stores.layers.keys()], [], 'and removed again');
  const loaded = await legacyArchive();
  await load(stores, loaded.archive);
  const kept = [...stores.layers.keys()].sort();
  await assert.rejects(load(stores, loaded.cut), /no manifest.json/);
  assert.deepEqual([...stores.layers.keys()].sort(), kept);
});
