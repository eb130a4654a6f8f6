import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { chainId, sha256, type Digest } from '../../../lib/digest.js';
import { conflict, notFound } from '../../../lib/errors.js';
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
  /** What each create returned, in order; holds taken with create({ hold }) by chain ID. */
  readonly results: CreatedLayer[] = [];
  readonly holds = new Map<Digest, number>();

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
    const { layers, creates, results, holds } = this;
    const hold = (layer: CreatedLayer, options?: { hold?: boolean }) => {
      if (options?.hold) holds.set(layer.chainId, (holds.get(layer.chainId) ?? 0) + 1);
      results.push(layer);
      return layer;
    };
    const store = {
      async create(parent: Digest | null, tar: Readable, _diffId?: Digest, options?: { hold?: boolean }): Promise<CreatedLayer> {
        const chunks: Buffer[] = [];
        for await (const chunk of tar) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        const diffId = sha256(bytes);
        creates.push({ parent, diffId });
        const chain = chainId(parent, diffId);
        const existing = layers.get(chain);
        if (existing) return hold({ ...existing.info, created: false }, options);
        const info = { chainId: chain, diffId, parent, size: bytes.length, created: true };
        layers.set(chain, { info, tar: bytes });
        hold(info, options);
        return info;
      },
      get: async (chain: Digest) => layers.get(chain)?.info ?? null,
      // As the real store: a held layer, or one `keep` says is in use, is refused.
      remove: async (chain: Digest, options?: { keep?: () => boolean }) => {
        if (holds.has(chain) || options?.keep?.()) throw conflict(`layer ${chain} is in use`);
        layers.delete(chain);
      },
      release: (chain: Digest) => {
        const count = holds.get(chain) ?? 0;
        if (count <= 1) holds.delete(chain);
        else holds.set(chain, count - 1);
      },
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
  // `cut`: the same archive ending before its config and manifest; `beforeConfig`: where the config's header starts.
  const archive = await makeTar(entries);
  return { archive, cut: await makeTar(entries.slice(0, 4)), diffIds, beforeConfig: archive.indexOf(Buffer.from(configName)) };
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

/** A stream of `first`, then (once `open()` was called) `rest`, then its end. */
function gated(first: Buffer, rest: Buffer = Buffer.alloc(0)): { stream: Readable; open(): void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const stream = Readable.from((async function* () {
    yield first;
    await gate;
    if (rest.length > 0) yield rest;
  })());
  return { stream, open };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

for (const when of ['while the other load still runs', 'after the other load committed its image']) {
  test(`a failed load leaves the layers it made that another load found, ${when}`, async () => {
    const stores = new Stores();
    const layers = stores.layerStore();
    const created = stores.results;
    const { archive, cut, diffIds, beforeConfig } = await legacyArchive();
    const chains = [diffIds[0]!, chainId(diffIds[0]!, diffIds[1]!)];
    const images = new Set<Digest>();
    const deps = { content: stores.content(), layers, imageUses: (chain: Digest) => images.has(chain) };
    const loadOn = (input: Readable) => loadArchive(deps, input, {
      progress: () => undefined,
      quiet: true,
      commit: async (bytes) => {
        for (const chain of chains) assert.ok(await layers.get(chain), `layer ${chain} is there when the image is committed`);
        for (const chain of chains) images.add(chain);
        return sha256(bytes);
      },
    });
    // The failing load makes both layers, then waits before its archive ends (early: no manifest).
    const failing = gated(cut);
    const failed = assert.rejects(loadOn(failing.stream), /no manifest.json/);
    await until(() => created.length === 2);
    assert.ok(created.every((layer) => layer.created));
    // The other load extracts the same layers and finds them there at commit.
    const other = gated(archive.subarray(0, beforeConfig), archive.subarray(beforeConfig));
    const loaded = loadOn(other.stream);
    await until(() => created.length === 4);
    assert.ok(created.slice(2).every((layer) => !layer.created), 'the second load found the layers');
    if (when.startsWith('while')) {
      failing.open();
      await failed;
      other.open();
      await loaded;
    } else {
      other.open();
      await loaded;
      failing.open();
      await failed;
    }
    for (const chain of chains) assert.ok(await layers.get(chain), `layer ${chain} stays`);
    assert.deepEqual([...stores.holds], [], 'both loads let go of their holds');
  });
}
