import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { Digest } from '../../lib/digest.js';
import { bindMount, isMountPoint, unmount } from '../../platform/linux/mount.js';
import { filesystemName } from '../../platform/linux/sys.js';
import { treeChanges, DELETED, type Change } from './changes.js';
import { DirLayerStore } from './store-base.js';
import type { ApplyOptions } from './tar-apply.js';
import { exportItems } from './tar-export.js';

const run = promisify(execFile);

/**
 * The vfs driver: every layer's `diff/` is a complete root filesystem, a copy
 * of its parent's plus its own changes. Slow and big, but works on any
 * filesystem (including overlayfs itself, where overlay2 cannot). Changes and
 * exports come from comparing a layer's tree with its parent's.
 */
export class VfsLayerStore extends DirLayerStore {
  readonly driver = 'vfs' as const;

  protected override async repair(): Promise<void> {}

  protected override async prepare(dir: string, parent: Digest | null): Promise<void> {
    if (parent === null) {
      await mkdir(join(dir, 'diff'), { mode: 0o755 });
      return;
    }
    // cp -a keeps owners, modes, times, links, devices and xattrs; reflinks make it cheap where supported.
    await run('cp', ['-a', '--reflink=auto', '--', this.diffDir(parent), join(dir, 'diff')]);
  }

  protected override async applyOptions(parent: Digest | null): Promise<ApplyOptions> {
    // The diff of a layer with a parent starts as a copy of the parent's.
    return { whiteouts: 'delete', emptyDest: parent === null };
  }

  async status(): Promise<[string, string][]> {
    return [['Backing Filesystem', filesystemName(this.root)]];
  }

  exportLayer(chainId: Digest): Readable {
    return this.exportDifference(undefined, async () => {
      const layer = await this.mustGet(chainId);
      return { dir: this.diffDir(chainId), parentDir: layer.parent === null ? null : this.diffDir(layer.parent) };
    });
  }

  async mountRw(id: string, target: string): Promise<void> {
    const rw = await this.mustGetRw(id);
    if (!isMountPoint(target)) bindMount(rw.diffDir, target);
  }

  async unmountRw(id: string, target: string): Promise<void> {
    await this.mustGetRw(id);
    unmount(target);
  }

  async changesRw(id: string): Promise<Change[]> {
    const rw = await this.mustGetRw(id);
    return treeChanges(rw.diffDir, rw.parent === null ? null : this.diffDir(rw.parent));
  }

  exportRw(id: string, exclude?: ReadonlySet<string>): Readable {
    return this.exportDifference(exclude, async () => {
      const rw = await this.mustGetRw(id);
      return { dir: rw.diffDir, parentDir: rw.parent === null ? null : this.diffDir(rw.parent) };
    });
  }

  /** A tar of what `dir` has that `parentDir` has not: changed entries, and whiteouts for deletions. */
  private exportDifference(exclude: ReadonlySet<string> | undefined, locate: () => Promise<{ dir: string; parentDir: string | null }>): Readable {
    return Readable.from(
      (async function* () {
        const { dir, parentDir } = await locate();
        const changes = await treeChanges(dir, parentDir);
        const items = changes
          .map((change) => ({ path: change.path.slice(1), kind: change.kind === DELETED ? ('whiteout' as const) : ('entry' as const) }))
          .filter((item) => !exclude?.has(item.path));
        yield* exportItems(dir, items);
      })(),
      { objectMode: false },
    );
  }
}
