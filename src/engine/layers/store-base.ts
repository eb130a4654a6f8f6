import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BackgroundTasks } from '../../lib/background.js';
import { chainId as chainIdOf, hexOf, isHex64, type Digest } from '../../lib/digest.js';
import { conflict, errnoCode, invalid, notFound } from '../../lib/errors.js';
import { SharedMutex } from '../../lib/mutex.js';
import { phase } from '../../lib/phases.js';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { unmount } from '../../platform/linux/mount.js';
import { spreadSubtrees } from '../../platform/linux/spread-subtrees.js';
import { processUmask } from '../../platform/linux/umask.js';
import type { CreatedLayer, LayerInfo, LayerStore, RwLayerInfo } from './types.js';
import { extractInWorker } from './extract-pool.js';
import type { ApplyOptions } from './tar-apply.js';
import { regenerateTar } from './tar-split.js';

/**
 * What overlay2 and vfs share: the on-disk records and their crash-safe
 * life cycle. Every layer (read-only, keyed by chain ID hex; or read-write,
 * keyed by the caller's ID) is a directory `<root>/<key>/` with `diff/` and
 * `meta.json`. A layer is built in `<root>/.tmp-*` and renamed into place
 * only when complete, and removed by renaming it to `<root>/.trash-*` first;
 * `open()` deletes both kinds of leftovers, so a crash never leaves a layer
 * half there.
 */

export interface LayerMeta extends LayerInfo {
  kind: 'layer';
  /** Bytes of the layer's tar, which only its tar-split metadata keeps (absent on layers made before it). */
  tarSize?: number;
}

export interface RwMeta {
  kind: 'rw';
  id: string;
  parent: Digest | null;
}

type Meta = LayerMeta | RwMeta;

const TMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.trash-';
/** Where store.ts probes overlay support; a crash could leave one mounted. */
export const PROBE_PREFIX = '.probe-';
const RW_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export abstract class DirLayerStore implements LayerStore {
  abstract readonly driver: 'overlay2' | 'vfs';
  /**
   * Image layers and removals take it exclusively (a removal checks that no
   * layer builds on the one it removes); read-write layers only shared, so
   * containers created and removed at once do not queue behind each other.
   */
  protected readonly lock = new SharedMutex();
  /**
   * Records read or written, by key: a layer's meta never changes once it is
   * in place (only removal ends it), so each is read from disk at most once.
   */
  private readonly metas = new Map<string, Meta>();
  /** Holds on read-only layers by key (see create's `hold`): counts, as several operations may hold one. */
  private readonly holds = new Map<string, number>();
  /** Trash directories still being deleted after their removal returned (see removeRw). */
  private readonly deleting = new BackgroundTasks();

  constructor(readonly root: string) {}

  /** Prepares the root and clears what an interrupted create or remove left. */
  async open(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    // Each layer's tree in a block group of its own: see spreadSubtrees for the ext4 cost it avoids.
    spreadSubtrees(this.root);
    for (const name of await readdir(this.root)) {
      if (name.startsWith(PROBE_PREFIX)) unmount(join(this.root, name, 'merged'));
      if (name.startsWith(TMP_PREFIX) || name.startsWith(TRASH_PREFIX) || name.startsWith(PROBE_PREFIX)) {
        await rm(join(this.root, name), { recursive: true, force: true });
      } else if (RW_ID.test(name)) {
        await this.dropUnreadable(name);
      }
    }
    await this.repair();
  }

  /** Resolves once the trees of removed read-write layers are deleted (removeRw does not wait for that). */
  async settled(): Promise<void> {
    await this.deleting.settled();
  }

  // ---- what each driver decides ----

  /** Called by open() after leftovers are gone: fix driver bookkeeping. */
  protected abstract repair(): Promise<void>;
  /** Fills a fresh `dir` (temp) for a layer on `parent`: at least `dir/diff`. */
  protected abstract prepare(dir: string, parent: Digest | null): Promise<void>;
  /** How tar extraction on `parent` treats whiteouts and lower layers. */
  protected abstract applyOptions(parent: Digest | null): Promise<ApplyOptions>;
  /** Runs after a layer directory was renamed into place. */
  protected async committed(_key: string): Promise<void> {}
  /** Runs after a layer directory was moved aside for removal, before it is deleted. */
  protected async removing(_trashDir: string, _key: string): Promise<void> {}
  abstract status(): Promise<[string, string][]>;
  abstract exportLayer(chainId: Digest): Readable;
  abstract mountRw(id: string, target: string): Promise<void>;
  abstract unmountRw(id: string, target: string): Promise<void>;
  abstract changesRw(id: string): Promise<{ path: string; kind: 0 | 1 | 2 }[]>;
  abstract exportRw(id: string, exclude?: ReadonlySet<string>): Readable;

  // ---- read-only layers ----

  async create(parent: Digest | null, tar: Readable, expectedDiffId?: Digest, options: { verified?: boolean; hold?: boolean } = {}): Promise<CreatedLayer> {
    if (parent !== null) await this.mustGet(parent);
    if (expectedDiffId !== undefined) {
      // Under the lock, so that a removal cannot come between finding the layer and holding it.
      const existing = await this.lock.shared(async () => {
        const found = await this.get(chainIdOf(parent, expectedDiffId));
        if (found !== null && options.hold) this.hold(found.chainId);
        return found;
      });
      if (existing !== null) return { ...(await drainAndReturn(tar, existing)), created: false };
    }
    const tmp = await this.makeTemp();
    try {
      await this.prepare(tmp, parent);
      const known = options.verified ? { diffId: expectedDiffId } : {};
      const umask = processUmask();
      const apply = { ...(await this.applyOptions(parent)), ...known, ...(umask === null ? {} : { umask }) };
      const { diffId, size, tarSize } = await extractInWorker(tar, { layerDir: tmp, apply, measureTree: this.measuresTree });
      phase('layer', 'layer:extracted');
      if (expectedDiffId !== undefined && diffId !== expectedDiffId) {
        throw invalid(`layer diff ID mismatch: expected ${expectedDiffId}, got ${diffId}`);
      }
      const info: LayerInfo = { chainId: chainIdOf(parent, diffId), diffId, parent, size };
      return await this.lock.exclusive(async () => {
        const layer = await this.commitLayer(tmp, info, tarSize);
        if (options.hold) this.hold(layer.chainId); // in the lock: no removal comes between
        return layer;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /**
   * How a layer's size is reported, as Docker's driver of the same name does:
   * by default the bytes of file content the tar carried (vfs, via the naive
   * diff driver); overlay2 measures what its diff directory holds.
   */
  protected readonly measuresTree: boolean = false;

  private async commitLayer(tmp: string, info: LayerInfo, tarSize: number): Promise<CreatedLayer> {
    const existing = await this.get(info.chainId);
    if (existing !== null) return { ...existing, created: false }; // extracted twice concurrently: keep the first
    const key = hexOf(info.chainId);
    const meta: LayerMeta = { kind: 'layer', ...info, tarSize };
    await writeJsonAtomic(join(tmp, 'meta.json'), meta);
    await rename(tmp, join(this.root, key));
    this.metas.set(key, meta);
    await this.committed(key);
    return { ...info, created: true };
  }

  async get(chainId: Digest): Promise<LayerInfo | null> {
    const meta = await this.readMeta(hexOf(chainId));
    if (meta?.kind !== 'layer') return null;
    const { kind: _kind, tarSize: _tarSize, ...info } = meta;
    return info;
  }

  protected async mustGet(chainId: Digest): Promise<LayerInfo> {
    const info = await this.get(chainId);
    if (info === null) throw notFound(`layer ${chainId} not found`);
    return info;
  }

  async list(): Promise<LayerInfo[]> {
    const layers: LayerInfo[] = [];
    for (const meta of await this.allMeta()) {
      if (meta.kind !== 'layer') continue;
      const { kind: _kind, tarSize: _tarSize, ...info } = meta;
      layers.push(info);
    }
    return layers;
  }

  release(chainId: Digest): void {
    const key = hexOf(chainId);
    const count = this.holds.get(key) ?? 0;
    if (count <= 1) this.holds.delete(key);
    else this.holds.set(key, count - 1);
  }

  private hold(chainId: Digest): void {
    const key = hexOf(chainId);
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
  }

  async remove(chainId: Digest, options: { keep?: () => boolean } = {}): Promise<void> {
    const trash = await this.lock.exclusive(async () => {
      await this.mustGet(chainId);
      if (this.holds.has(hexOf(chainId)) || options.keep?.()) throw conflict(`layer ${chainId} is in use`);
      const child = (await this.allMeta()).find((meta) => meta.parent === chainId);
      if (child !== undefined) {
        const what = child.kind === 'rw' ? `read-write layer ${child.id}` : `layer ${child.chainId}`;
        throw conflict(`layer ${chainId} is in use by ${what}`);
      }
      return this.moveAside(hexOf(chainId));
    });
    await rm(trash, { recursive: true, force: true });
  }

  diffDir(chainId: Digest): string {
    return join(this.root, hexOf(chainId), 'diff');
  }

  async layerTar(chainId: Digest): Promise<{ stream: Readable; size: number } | null> {
    const meta = await this.readMeta(hexOf(chainId));
    if (meta?.kind !== 'layer') throw notFound(`layer ${chainId} not found`);
    if (meta.tarSize === undefined) return null;
    const stream = await regenerateTar(join(this.root, hexOf(chainId)), this.diffDir(chainId), meta.diffId);
    return stream && { stream, size: meta.tarSize };
  }

  // ---- read-write layers ----

  async createRw(id: string, parent: Digest | null): Promise<RwLayerInfo> {
    if (!RW_ID.test(id) || id === 'l') throw invalid(`invalid read-write layer ID ${JSON.stringify(id)}`);
    if (parent !== null) await this.mustGet(parent);
    phase(id, 'rw:parent-found');
    const meta: RwMeta = { kind: 'rw', id, parent };
    const tmp = await this.makeTemp();
    let committed = false;
    try {
      await this.prepare(tmp, parent);
      phase(id, 'rw:prepared');
      // Not fsynced (as moby's mount metadata): a power loss may leave the record empty, and open()
      // deletes a layer whose record does not parse, as a create that never finished. Written and
      // renamed on this thread, as prepare() does.
      writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
      phase(id, 'rw:meta-written');
      await this.lock.shared(async () => {
        // The rename is the atomic check: a directory there (a layer of that ID) is never empty.
        try {
          renameSync(tmp, join(this.root, id));
        } catch (err) {
          const code = errnoCode(err) ?? '';
          throw ['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(code) ? conflict(`read-write layer ${id} already exists`) : err;
        }
        committed = true;
        this.metas.set(id, meta);
        await this.committed(id);
        phase(id, 'rw:committed');
      });
    } finally {
      if (!committed) await rm(tmp, { recursive: true, force: true });
    }
    return this.rwInfo(meta);
  }

  async getRw(id: string): Promise<RwLayerInfo | null> {
    if (!RW_ID.test(id)) return null;
    const meta = await this.readMeta(id);
    return meta?.kind === 'rw' ? this.rwInfo(meta) : null;
  }

  protected async mustGetRw(id: string): Promise<RwLayerInfo> {
    const info = await this.getRw(id);
    if (info === null) throw notFound(`read-write layer ${id} not found`);
    return info;
  }

  /**
   * Removes a read-write layer; the caller unmounts it first. It is gone once
   * moved aside: the tree is deleted after this returns (settled() waits for
   * that; open() deletes what a crash left), so a container's removal does
   * not wait for its files to be unlinked one by one.
   */
  async removeRw(id: string): Promise<void> {
    const trash = await this.lock.shared(async () => {
      await this.mustGetRw(id);
      // A concurrent removal of the same ID may have moved it aside first.
      return this.moveAside(id).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOENT' ? notFound(`read-write layer ${id} not found`) : err;
      });
    });
    this.deleting.add(rm(trash, { recursive: true, force: true }));
  }

  private rwInfo(meta: RwMeta): RwLayerInfo {
    return { id: meta.id, parent: meta.parent, diffDir: join(this.root, meta.id, 'diff') };
  }

  // ---- records on disk ----

  private async makeTemp(): Promise<string> {
    const dir = join(this.root, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`);
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  /**
   * Moves a layer aside: the atomic step, under the lock. The caller deletes
   * the returned trash directory after letting go of the lock, so that one
   * removal's file tree does not hold up every other create and remove
   * (open() deletes what a crash left there).
   */
  private async moveAside(key: string): Promise<string> {
    const trash = join(this.root, `${TRASH_PREFIX}${randomBytes(8).toString('hex')}`);
    renameSync(join(this.root, key), trash);
    this.metas.delete(key);
    await this.removing(trash, key);
    return trash;
  }

  protected async readMeta(key: string): Promise<Meta | null> {
    if (!isHex64(key) && !RW_ID.test(key)) return null;
    const known = this.metas.get(key);
    if (known !== undefined) return known;
    let text: string;
    try {
      text = await readFile(join(this.root, key, 'meta.json'), 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
      throw err;
    }
    const meta = JSON.parse(text) as Meta;
    // Removed meanwhile (a read racing a removal): not remembered.
    if (existsSync(join(this.root, key))) this.metas.set(key, meta);
    return meta;
  }

  /** A read-write layer whose record is empty or cut short (written without fsync, then a power loss): deleted. */
  private async dropUnreadable(name: string): Promise<void> {
    const text = await readFile(join(this.root, name, 'meta.json'), 'utf8').catch(() => null);
    if (text === null) return;
    try {
      JSON.parse(text);
    } catch {
      await rm(join(this.root, name), { recursive: true, force: true });
    }
  }

  protected async allMeta(): Promise<Meta[]> {
    const metas: Meta[] = [];
    for (const name of (await readdir(this.root)).sort()) {
      if (name.startsWith('.')) continue;
      const meta = await this.readMeta(name);
      if (meta !== null) metas.push(meta);
    }
    return metas;
  }
}

async function drainAndReturn(tar: Readable, info: LayerInfo): Promise<LayerInfo> {
  for await (const _chunk of tar) {
    // the layer is here already: consume the stream so the sender completes
  }
  return info;
}
