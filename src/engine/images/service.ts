import type { Readable } from 'node:stream';
import { chainId, chainIds, EMPTY_TAR_DIGEST, sha256, type Digest } from '../../lib/digest.js';
import { invalid, isEngineError, notFound } from '../../lib/errors.js';
import { Mutex } from '../../lib/mutex.js';
import {
  checkNewTag,
  familiarString, normalizedString, parseAnyReference, parseNormalizedNamed, parseTag, idPrefixOf, withDefaultTag,
  type Reference,
} from '../../lib/reference.js';
import type { ContentStore } from '../content/types.js';
import type { LayerStore } from '../layers/types.js';
import type { EventBus } from '../events/types.js';
import type { ReferenceStore } from './refstore.js';
import type { ImageStore, StoredImage } from './store.js';
import type {
  CommitOptions, DeleteResponseItem, Filters, HistoryEntry, HistoryItem, Image, ImageConfig, ImageService, ImageUsage, ProgressSink,
} from './types.js';
import { boolFilter, checkFilterNames, createdMs, globMatch, matchesLabels, parseTimeFilter } from './filters.js';
import { ImageRemover } from './remove.js';
import { importImage, type ImportOptions } from './import.js';
import { saveImages } from './archive/save.js';
import { loadArchive } from './archive/load.js';
import { openLayerTar, registerLayers } from './layers.js';
import { applyChanges, type WordSplitter } from './config-changes.js';

export interface ImageServiceDeps {
  content: ContentStore;
  layers: LayerStore;
  events: EventBus;
  store: ImageStore;
  refs: ReferenceStore;
  /** Scratch space on the data root's filesystem (for archive staging). */
  tmpDir: string;
  /** The Dockerfile's word processor, so that commit/import changes expand `$VAR` from the image's Env as dockerd's do. */
  words?: WordSplitter;
}

/**
 * Images on the local host: resolution of names and IDs, listing, tagging,
 * removal, import, save and load. Mutations of names and of the image set are
 * serialised through one lock; heavy streaming work (extracting layers)
 * happens outside it.
 */
export class LocalImageService implements ImageService {
  private readonly lock = new Mutex();
  private usage: ImageUsage = { containersUsing: async () => [] };
  private readonly layerSizes = new Map<Digest, number>();

  constructor(private readonly deps: ImageServiceDeps) {}

  /** The containers area tells us who uses which image (wired by the daemon). */
  setUsage(usage: ImageUsage): void {
    this.usage = usage;
  }

  async resolve(nameOrId: string): Promise<Image> {
    return this.toImage(this.lookup(nameOrId));
  }

  async all(): Promise<Image[]> {
    return Promise.all(this.deps.store.all().map((stored) => this.toImage(stored)));
  }

  async list(options: { all: boolean; filters: Filters }): Promise<Image[]> {
    const { filters } = options;
    checkFilterNames(filters, ['dangling', 'label', 'before', 'since', 'reference', 'until']);
    const dangling = boolFilter(filters, 'dangling');
    const before = this.boundary(filters, 'before');
    const since = this.boundary(filters, 'since');
    const until = filters.get('until')?.map((v) => parseTimeFilter(v));
    const references = filters.get('reference');
    const out: Image[] = [];
    for (const image of await this.all()) {
      const created = createdMs(image);
      if (before !== undefined && created >= before) continue;
      if (since !== undefined && created <= since) continue;
      if (until && !until.every((limit) => created < limit)) continue;
      if (!matchesLabels(image.config.config?.Labels, filters.get('label'))) continue;
      if (references) {
        image.repoTags = image.repoTags.filter((tag) => references.some((p) => matchesReference(p, tag)));
        image.repoDigests = image.repoDigests.filter((d) => references.some((p) => matchesReference(p, d)));
        if (image.repoTags.length === 0 && image.repoDigests.length === 0) continue;
      }
      const untagged = image.repoTags.length === 0 && image.repoDigests.length === 0;
      if (dangling === true && !untagged) continue;
      if (dangling === false && untagged) continue;
      // Untagged images with children are the intermediate layers of builds: shown only with -a.
      if (untagged && !options.all && dangling !== true && this.childrenOf(image.id).length > 0) continue;
      out.push(image);
    }
    return out.sort((a, b) => createdMs(b) - createdMs(a) || a.id.localeCompare(b.id));
  }

  async history(nameOrId: string): Promise<HistoryItem[]> {
    const top = await this.resolve(nameOrId);
    const diffIds = top.config.rootfs.diff_ids ?? [];
    const chain = chainIds(diffIds);
    const entries = top.config.history ?? [];
    let layerIndex = 0;
    const items: HistoryItem[] = entries.map((entry) => {
      let size = 0;
      if (!entry.empty_layer) {
        const layer = chain[layerIndex++];
        size = layer ? this.layerSizes.get(layer) ?? 0 : 0;
      }
      return {
        Id: '<missing>',
        Created: entry.created ? Math.floor(Date.parse(entry.created) / 1000) : 0,
        CreatedBy: entry.created_by ?? '',
        Tags: null,
        Size: size,
        Comment: entry.comment ?? '',
      };
    });
    items.reverse();
    // As Docker: successive entries, newest first, are named after the image
    // and then its local parents, one parent per entry, while parents exist.
    let image: Image | undefined = top;
    for (const item of items) {
      if (!image) break;
      item.Id = image.id;
      item.Tags = image.repoTags.length > 0 ? image.repoTags : null;
      image = image.parent ? await this.resolve(image.parent).catch(() => undefined) : undefined;
    }
    return items;
  }

  async tag(nameOrId: string, repo: string, tag: string | undefined): Promise<void> {
    const target = this.lookup(nameOrId); // as dockerd: the image first, then the new name
    const ref = this.parseTagTarget(repo, tag);
    // Tagging again with the same image (every rebuild with nothing changed) writes nothing.
    if (this.deps.refs.get(normalizedString(ref)) !== target.id) {
      await this.lock.run(async () => {
        await this.deps.refs.set(normalizedString(ref), target.id);
        await this.deps.store.setMeta(target.id, { ...target.meta, lastTagTime: new Date().toISOString() });
      });
    }
    this.deps.events.publish('image', 'tag', target.id, { name: familiarString(ref) });
  }

  async remove(nameOrId: string, options: { force: boolean; noPrune: boolean }): Promise<DeleteResponseItem[]> {
    return this.lock.run(() => this.remover().remove(nameOrId, options));
  }

  async prune(filters: Filters): Promise<{ ImagesDeleted: DeleteResponseItem[] | null; SpaceReclaimed: number }> {
    checkFilterNames(filters, ['dangling', 'until', 'label', 'label!']);
    const danglingOnly = boolFilter(filters, 'dangling') ?? true;
    const until = filters.get('until')?.map((v) => parseTimeFilter(v));
    const sizeBefore = await this.layersSize();
    const deleted: DeleteResponseItem[] = [];
    await this.lock.run(async () => {
      const remover = this.remover();
      for (const image of await this.all()) {
        if (!this.deps.store.get(image.id)) continue; // removed as a parent of an earlier one
        if (danglingOnly && (image.repoTags.length > 0 || image.repoDigests.length > 0)) continue;
        if (until && !until.every((limit) => createdMs(image) < limit)) continue;
        const labels = image.config.config?.Labels;
        if (!matchesLabels(labels, filters.get('label'))) continue;
        if (filters.get('label!')?.some((spec) => matchesLabels(labels, [spec]))) continue;
        if (this.childrenOf(image.id).length > 0) continue;
        if ((await this.usage.containersUsing(image.id)).length > 0) continue;
        deleted.push(...(await remover.remove(image.id, { force: !danglingOnly, noPrune: false, quietConflicts: true })));
      }
    });
    const reclaimed = sizeBefore - (await this.layersSize());
    return { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }

  async importTar(source: Readable, options: ImportOptions): Promise<Digest> {
    const id = await importImage(this.deps, source, options, (config, tags) => this.commitImage(config, {}, tags));
    this.deps.events.publish('image', 'import', id, { name: id });
    return id;
  }

  layerTar(chain: Digest, diffId: Digest): Promise<{ stream: Readable; size: number }> {
    return openLayerTar(this.deps, chain, diffId);
  }

  async save(names: string[]): Promise<Readable> {
    const selections = names.map((name) => this.selectForSave(name));
    const stream = await saveImages(this.deps.content, (chain, diffId) => openLayerTar(this.deps, chain, diffId), selections);
    for (const { image } of selections) this.deps.events.publish('image', 'save', image.id, { name: image.id });
    return stream;
  }

  async load(archive: Readable, progress: ProgressSink, quiet: boolean): Promise<void> {
    const imageUses = (chain: Digest) => this.deps.store.all().some((image) => chainIds(image.config.rootfs?.diff_ids ?? []).includes(chain));
    await loadArchive({ ...this.deps, imageUses }, archive, {
      progress,
      quiet,
      commit: async (configBytes, tags) => {
        const id = await this.commitImageBytes(configBytes, {}, tags, (ref, old) => {
          if (old) progress({ stream: `The image ${familiarString(ref)} already exists, renaming the old one with ID ${old} to empty string\n` });
        });
        for (const tag of tags) progress({ stream: `Loaded image: ${familiarString(tag)}\n` });
        if (tags.length === 0) progress({ stream: `Loaded image ID: ${id}\n` });
        this.deps.events.publish('image', 'load', id, { name: id });
        return id;
      },
    });
  }

  async commit(options: CommitOptions): Promise<Digest> {
    const parent = options.parent === null ? null : this.deps.store.get(options.parent);
    if (parent === undefined) throw notFound(`No such image: ${options.parent}`);
    const tags = options.reference ? [withDefaultTag(checkNewTag(parseNormalizedNamed(options.reference)))] : [];
    const diffId = options.layerTar ? await this.commitLayer(parent?.config.rootfs?.diff_ids ?? [], options.layerTar) : EMPTY_TAR_DIGEST;
    // As moby's image commit: an empty diff adds no layer, only an empty_layer history entry.
    const emptyLayer = diffId === EMPTY_TAR_DIGEST;
    const created = new Date().toISOString();
    const p: Partial<ImageConfig> = parent?.config ?? { architecture: 'amd64', os: 'linux' };
    const history: HistoryEntry = { created, author: options.author, created_by: options.createdBy, comment: options.comment, ...(emptyLayer ? { empty_layer: true } : {}) };
    const config: ImageConfig = {
      architecture: p.architecture,
      ...(p.variant ? { variant: p.variant } : {}),
      author: options.author ?? '',
      comment: options.comment ?? '',
      config: applyChanges(options.config, options.changes, this.deps.words),
      container: options.containerId ?? '',
      ...(options.containerConfig ? { container_config: options.containerConfig } : {}),
      created,
      docker_version: 'berth',
      history: [...(p.history ?? []), history],
      os: p.os,
      rootfs: { type: 'layers', diff_ids: [...(p.rootfs?.diff_ids ?? []), ...(emptyLayer ? [] : [diffId])] },
    };
    const id = await this.commitImage(config, options.parent ? { parent: options.parent } : {}, tags);
    for (const tag of tags) this.deps.events.publish('image', 'tag', id, { name: familiarString(tag) });
    return id;
  }

  /**
   * A container's changes become a layer on its image's in one pass (no blob
   * staged); returns its diff ID. An empty diff adds no layer to the image, so
   * a layer made only for it does not stay.
   */
  private async commitLayer(parentDiffIds: Digest[], tar: Readable): Promise<Digest> {
    const parent = chainIds(parentDiffIds).at(-1) ?? null;
    const emptyChain = chainId(parent, EMPTY_TAR_DIGEST);
    const hadEmpty = (await this.deps.layers.get(emptyChain)) !== null;
    const { diffId } = await this.deps.layers.create(parent, tar);
    if (diffId === EMPTY_TAR_DIGEST && !hadEmpty) await this.deps.layers.remove(emptyChain).catch(() => undefined);
    return diffId;
  }

  async emptyImage(): Promise<Digest> {
    // Fixed fields only, so the ID is the same on every build and every host.
    const config: ImageConfig = { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
    return this.commitImage(config, {}, []);
  }

  async children(id: Digest): Promise<Digest[]> {
    return this.childrenOf(id);
  }

  containersUsing(id: Digest): Promise<{ id: string; running: boolean }[]> {
    return this.usage.containersUsing(id);
  }

  async addImage(configBytes: Buffer, references: string[]): Promise<{ id: Digest; created: boolean }> {
    const created = !this.deps.store.get(sha256(configBytes));
    const refs = references.map((r) => parseNormalizedNamed(r));
    const id = await this.commitImageBytes(configBytes, {}, refs.filter((r) => r.tag !== undefined && r.digest === undefined));
    // Digest references (repo@sha256:…) name the manifest, not a tag: recorded as they are.
    await this.lock.run(async () => {
      for (const ref of refs.filter((r) => r.digest !== undefined)) await this.deps.refs.set(normalizedString(ref), id);
    });
    return { id, created };
  }

  async layersSize(): Promise<number> {
    let total = 0;
    for (const layer of await this.deps.layers.list()) total += layer.size;
    return total;
  }

  async graphDriver(image: Image): Promise<{ Name: string; Data: Record<string, string> | null }> {
    if (!image.topLayer) return { Name: this.deps.layers.driver, Data: null };
    const chain = chainIds(image.config.rootfs.diff_ids);
    const dirs = chain.map((layer) => this.deps.layers.diffDir(layer)).reverse();
    const [upper, ...lower] = dirs;
    const data: Record<string, string> = { UpperDir: upper!, MergedDir: upper!.replace(/\/diff$/, '/merged'), WorkDir: upper!.replace(/\/diff$/, '/work') };
    if (lower.length > 0) data.LowerDir = lower.join(':');
    return { Name: this.deps.layers.driver, Data: data };
  }

  // ---- internals ----

  /** Name resolution as Docker does it: full ID, then reference, then ID prefix. */
  private lookup(nameOrId: string): StoredImage {
    const { store, refs } = this.deps;
    let named: Reference | undefined;
    try {
      const any = parseAnyReference(nameOrId);
      if (any.kind === 'id') {
        const image = store.get(any.id);
        if (image) return image;
        throw notFound(`No such image: ${nameOrId}`);
      }
      named = any.ref.tag === undefined && any.ref.digest === undefined ? withDefaultTag(any.ref) : any.ref;
      const id = refs.get(normalizedString(named));
      const image = id && store.get(id);
      if (image) return image;
      if (named.digest) {
        // name@digest also finds an image by its own ID written as a digest.
        const byId = store.get(named.digest);
        if (byId) return byId;
      }
    } catch (err) {
      if (idPrefixOf(nameOrId) === undefined) throw err;
    }
    const prefix = idPrefixOf(nameOrId);
    if (prefix !== undefined) {
      const matches = store.byPrefix(prefix);
      if (matches.length === 1) return matches[0]!;
    }
    throw notFound(`No such image: ${named ? familiarString(named) : nameOrId}`);
  }

  private async toImage(stored: StoredImage): Promise<Image> {
    const refs = this.deps.refs.refsOf(stored.id).map((ref) => parseNormalizedNamed(ref));
    const diffIds = stored.config.rootfs?.diff_ids ?? [];
    const chain = chainIds(diffIds);
    const layers: Image['layers'] = [];
    for (const layer of chain) layers.push({ chainId: layer, size: await this.layerSize(layer) });
    const size = layers.reduce((sum, layer) => sum + layer.size, 0);
    return {
      id: stored.id,
      config: stored.config,
      parent: stored.meta.parent ?? '',
      repoTags: refs.filter((r) => r.digest === undefined).map(familiarString),
      repoDigests: refs.filter((r) => r.digest !== undefined).map(familiarString),
      size,
      lastTagTime: stored.meta.lastTagTime,
      topLayer: chain.at(-1) ?? null,
      layers,
    };
  }

  private async layerSize(chain: Digest): Promise<number> {
    let size = this.layerSizes.get(chain);
    if (size === undefined) {
      size = (await this.deps.layers.get(chain))?.size ?? 0;
      this.layerSizes.set(chain, size);
    }
    return size;
  }

  private childrenOf(id: Digest): Digest[] {
    return this.deps.store.all().filter((image) => image.meta.parent === id).map((image) => image.id);
  }

  private boundary(filters: Filters, name: 'before' | 'since'): number | undefined {
    const values = filters.get(name);
    if (!values || values.length === 0) return undefined;
    return createdMs(this.toImageSync(this.lookup(values[values.length - 1]!)));
  }

  private toImageSync(stored: StoredImage): Pick<Image, 'config'> {
    return { config: stored.config };
  }

  private parseTagTarget(repo: string, tag: string | undefined): Reference {
    const ref = checkNewTag(parseNormalizedNamed(repo));
    if (tag) return { ...ref, tag: parseTag(tag) };
    return withDefaultTag(ref);
  }

  /**
   * dockerd's save looks a tagged or digested name up in its reference store, whose word for a
   * missing one is its own; a bare name or an ID it searches for as an image ("No such image").
   */
  private lookupForSave(name: string, byReference: boolean): StoredImage {
    try {
      return this.lookup(name);
    } catch (err) {
      if (!isEngineError(err, 'notFound')) throw err;
      throw notFound(byReference ? 'reference does not exist' : `No such image: ${name}`, err);
    }
  }

  private selectForSave(name: string): { image: StoredImage; tags: string[] } {
    const any = (() => {
      try {
        return parseAnyReference(name);
      } catch {
        return undefined;
      }
    })();
    const image = this.lookupForSave(name, any !== undefined && any.kind !== 'id' && (any.ref.tag !== undefined || any.ref.digest !== undefined));
    if (!any || any.kind === 'id' || idPrefixOf(name) !== undefined && !this.deps.refs.get(normalizedString(withDefaultTag(any.ref)))) {
      return { image, tags: [] };
    }
    const ref = any.ref;
    if (ref.tag === undefined && ref.digest === undefined) {
      // A bare repository name saves every tag of that repository that points here.
      const repoPrefix = `${normalizedString(ref)}:`;
      const tags = this.deps.refs.refsOf(image.id).filter((r) => r.startsWith(repoPrefix));
      return { image, tags: tags.map((r) => familiarString(parseNormalizedNamed(r))) };
    }
    return { image, tags: ref.tag !== undefined ? [familiarString(ref)] : [] };
  }

  /** Registers the layers of a config, stores it, and points the given tags at it. */
  private async commitImage(config: ImageConfig, meta: { parent?: Digest }, tags: Reference[]): Promise<Digest> {
    return this.commitImageBytes(Buffer.from(JSON.stringify(config)), meta, tags);
  }

  private async commitImageBytes(
    configBytes: Buffer,
    meta: { parent?: Digest },
    tags: Reference[],
    onRetag?: (ref: Reference, oldId: string) => void,
  ): Promise<Digest> {
    const config = JSON.parse(configBytes.toString()) as ImageConfig;
    await registerLayers(this.deps, config);
    return this.lock.run(async () => {
      const image = await this.deps.store.add(configBytes, meta.parent ? { parent: meta.parent } : {});
      for (const ref of tags) {
        const key = normalizedString(ref);
        const old = this.deps.refs.get(key);
        if (old && old !== image.id) onRetag?.(ref, old);
        await this.deps.refs.set(key, image.id);
      }
      if (tags.length > 0) await this.deps.store.setMeta(image.id, { ...image.meta, lastTagTime: new Date().toISOString() });
      return image.id;
    });
  }

  private remover(): ImageRemover {
    return new ImageRemover({
      ...this.deps,
      usage: this.usage,
      lookup: (name) => this.lookup(name),
      children: (id) => this.childrenOf(id),
      forgetLayer: (chain) => this.layerSizes.delete(chain),
    });
  }
}

/** Reference filter: matches the familiar name, or name:tag, as Docker does. */
function matchesReference(pattern: string, familiar: string): boolean {
  const name = familiar.replace(/[:@][^/]*$/, '');
  return globMatch(pattern, familiar) || globMatch(pattern, name);
}
