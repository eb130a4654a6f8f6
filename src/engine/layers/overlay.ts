import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { hexOf, type Digest } from '../../lib/digest.js';
import { errnoCode } from '../../lib/errors.js';
import { bindMount, isMountPoint, mountOverlay, unmountAsync } from '../../platform/linux/mount.js';
import { filesystemName } from '../../platform/linux/sys.js';
import { overlayChanges } from './changes.js';
import { DirLayerStore } from './store-base.js';
import type { ApplyOptions } from './tar-apply.js';
import { exportOverlayDiff } from './tar-export.js';

/**
 * The overlay2 driver, laid out like Docker's:
 *
 *   <root>/<chainhex>/diff/   this layer's own files (whiteouts as 0/0 char devices)
 *   <root>/<chainhex>/link    its short ID, e.g. "4CZ6RJXG2N3WQ7Z5WDSZJHKB3V"
 *   <root>/<chainhex>/lower   the layers below as "l/<short>:l/<short>…", nearest first
 *   <root>/<chainhex>/work/   overlay's work dir (used by rw layers)
 *   <root>/l/<short> -> ../<chainhex>/diff
 *
 * Mounts name lowers by their short links relative to <root> (the addon
 * mounts from a thread whose cwd is <root>), so that 100+ layers fit in the
 * one page the kernel allows for mount options.
 */
export class OverlayLayerStore extends DirLayerStore {
  readonly driver = 'overlay2' as const;
  /** Each layer's short link and `lower` entries, read once: they never change while the layer exists. */
  private readonly chains = new Map<string, { short: string; below: string[] }>();

  /** overlay2 reports what its diff directory holds, as Docker's does (symlinks and whiteouts included). */
  protected override readonly measuresTree = true;

  protected override async repair(): Promise<void> {
    const links = join(this.root, 'l');
    await mkdir(links, { recursive: true, mode: 0o700 });
    for (const name of await readdir(links)) {
      const target = await readlink(join(links, name)).catch(() => null);
      const alive = target !== null && (await stat(join(links, name)).then(() => true, () => false));
      if (!alive) await unlink(join(links, name)).catch(() => undefined);
    }
    for (const name of await readdir(this.root)) {
      if ((await this.readMeta(name)) !== null) await this.ensureShortLink(name);
    }
  }

  protected override async prepare(dir: string, parent: Digest | null): Promise<void> {
    const lower = parent === null ? null : (await this.lowerEntriesOf(hexOf(parent), true)).join(':');
    // A few small entries in a fresh directory: done at once on this thread, as a Go daemon's
    // syscalls are, instead of four round trips through a thread pool that a loaded host keeps waiting.
    mkdirSync(join(dir, 'diff'), { mode: 0o755 });
    mkdirSync(join(dir, 'work'), { mode: 0o700 });
    writeFileSync(join(dir, 'link'), newShortId());
    if (lower !== null) writeFileSync(join(dir, 'lower'), lower);
  }

  protected override async committed(key: string): Promise<void> {
    await this.ensureShortLink(key);
  }

  protected override async removing(trashDir: string, key: string): Promise<void> {
    const short = this.chains.get(key)?.short ?? (await readFile(join(trashDir, 'link'), 'utf8').catch(() => null));
    this.chains.delete(key);
    if (short === null) return;
    try {
      unlinkSync(join(this.root, 'l', short.trim()));
    } catch {
      // gone already
    }
  }

  protected override async applyOptions(parent: Digest | null): Promise<ApplyOptions> {
    // A layer's diff starts empty: its lowers are other directories.
    return { whiteouts: 'overlay', emptyDest: true, lowers: parent === null ? [] : await this.lowerDirsOf(hexOf(parent), true) };
  }

  async status(): Promise<[string, string][]> {
    return [
      ['Backing Filesystem', filesystemName(this.root)],
      ['Supports d_type', 'true'],
      ['Using metacopy', 'false'],
      ['Native Overlay Diff', 'true'],
      ['userxattr', 'false'],
    ];
  }

  exportLayer(chainId: Digest): Readable {
    return exportOverlayDiff(this.diffDir(chainId));
  }

  async mountRw(id: string, target: string): Promise<void> {
    const rw = await this.mustGetRw(id);
    if (rw.parent === null) {
      // overlay needs a lower layer; with none, the upper is the whole view
      if (!isMountPoint(target)) bindMount(rw.diffDir, target);
      return;
    }
    if (await isOverlayRoot(target)) return;
    const lower = await this.lowerEntriesOf(id, false);
    mountOverlay(target, { lower, upper: `${id}/diff`, work: `${id}/work` }, this.root);
  }

  async unmountRw(id: string, target: string): Promise<void> {
    await this.mustGetRw(id);
    await unmountAsync(target);
  }

  async changesRw(id: string): Promise<{ path: string; kind: 0 | 1 | 2 }[]> {
    const rw = await this.mustGetRw(id);
    return overlayChanges(rw.diffDir, await this.lowerDirsOf(id, false));
  }

  exportRw(id: string, exclude?: ReadonlySet<string>): Readable {
    const store = this;
    return Readable.from(
      (async function* () {
        yield* exportOverlayDiff((await store.mustGetRw(id)).diffDir, exclude);
      })(),
      { objectMode: false },
    );
  }

  // ---- short links and lower chains ----

  /**
   * The `lower` entries for a layer: with `including` (a parent), the key's
   * own short link first, then what it sits on; otherwise just its `lower`.
   */
  private async lowerEntriesOf(key: string, including: boolean): Promise<string[]> {
    const { short, below } = this.chains.get(key) ?? (await this.readChain(key));
    return including ? [`l/${short}`, ...below] : below;
  }

  private async readChain(key: string): Promise<{ short: string; below: string[] }> {
    const [lower, short] = await Promise.all([
      readFile(join(this.root, key, 'lower'), 'utf8').catch((err: unknown) => {
        if (errnoCode(err) === 'ENOENT') return '';
        throw err;
      }),
      readFile(join(this.root, key, 'link'), 'utf8'),
    ]);
    const chain = { short: short.trim(), below: lower === '' ? [] : lower.split(':') };
    // Removed meanwhile (a read racing a removal): not remembered.
    if (existsSync(join(this.root, key))) this.chains.set(key, chain);
    return chain;
  }

  /** Absolute diff dirs of the lower chain, nearest first (for lookups below a layer). */
  private async lowerDirsOf(key: string, including: boolean): Promise<string[]> {
    return (await this.lowerEntriesOf(key, including)).map((entry) => join(this.root, entry));
  }

  /** Synchronous: one small read and a symlink, at a layer's commit (see prepare). */
  private async ensureShortLink(key: string): Promise<void> {
    let short: string;
    try {
      short = this.chains.get(key)?.short ?? readFileSync(join(this.root, key, 'link'), 'utf8').trim();
    } catch {
      return;
    }
    try {
      symlinkSync(`../${key}/diff`, join(this.root, 'l', short));
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }

}

/**
 * Whether an overlay is mounted at `target`: its root is on a device of its
 * own (overlay's anonymous one), unlike the directory it is mounted on. A
 * stat pair instead of reading the whole mount table on the main thread.
 */
async function isOverlayRoot(target: string): Promise<boolean> {
  const [mounted, parent] = await Promise.all([stat(target), stat(dirname(target))]);
  return mounted.dev !== parent.dev;
}

/** 26 characters of base32, like Docker's short IDs: random, and short enough for 100+ lowers per page. */
function newShortId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(26)].map((byte) => alphabet[byte & 31]).join('');
}
