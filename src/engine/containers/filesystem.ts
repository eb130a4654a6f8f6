import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import * as archive from './archive.js';
import type { ContainerContext } from './context.js';
import { etcArchiveMounts } from './etc-files.js';
import type { Container, ContainerConfig } from './types.js';

export interface CommitOptions {
  repo?: string;
  tag?: string;
  author?: string;
  comment?: string;
  changes: string[];
  pause: boolean;
  config?: ContainerConfig;
}

/**
 * A container's filesystem as clients see it: diff, export, commit and the
 * archive API (docker cp), over its rw layer mounted for as long as a reader
 * needs it.
 */
export class ContainerFilesystem {
  constructor(private readonly ctx: ContainerContext) {}

  async changes(idOrName: string) {
    const c = this.ctx.deps.store.find(idOrName);
    return withoutPlaceholders(await this.ctx.deps.layers.changesRw(c.rwLayer)).map((change) => ({ Path: change.path, Kind: change.kind }));
  }

  async export(idOrName: string): Promise<Readable> {
    const c = this.ctx.deps.store.find(idOrName);
    const tar = await this.withRootfs(c, (rootfs) => archive.exportRootfs(rootfs));
    this.ctx.publish('export', c);
    return tar;
  }

  async commit(idOrName: string, options: CommitOptions): Promise<Digest> {
    const { runtime, images } = this.ctx.deps;
    const c = this.ctx.deps.store.find(idOrName);
    const pause = options.pause && c.state.Running && !c.state.Paused;
    if (pause) await runtime.pause(c.id);
    try {
      const reference = options.repo ? `${options.repo}${options.tag ? `:${options.tag}` : ''}` : undefined;
      const id = await images.commit({
        parent: c.image,
        layerTar: this.changesTar(c),
        config: { ...c.config, ...(options.config ?? {}) },
        changes: options.changes,
        author: options.author,
        comment: options.comment,
        containerId: c.id,
        createdBy: [c.path, ...c.args].join(' '),
        reference,
      });
      this.ctx.publish('commit', c, { comment: options.comment ?? '', imageID: id });
      return id;
    } finally {
      if (pause) await runtime.resume(c.id).catch(() => undefined);
    }
  }

  async archiveStat(idOrName: string, path: string) {
    const c = this.ctx.deps.store.find(idOrName);
    return this.withRootfs(c, async (rootfs) => archive.statPath(await this.fsInput(c, rootfs, idOrName), path));
  }

  async archiveGet(idOrName: string, path: string) {
    const c = this.ctx.deps.store.find(idOrName);
    const result = await this.withRootfs(c, async (rootfs) => archive.getArchive(await this.fsInput(c, rootfs, idOrName), path));
    // docker cp out of a container: dockerd's archive-path event.
    this.ctx.publish('archive-path', c, { path });
    return result;
  }

  async archivePut(idOrName: string, path: string, tar: Readable, options: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean; chown?: string }): Promise<void> {
    const c = this.ctx.deps.store.find(idOrName);
    await this.withRootfs(c, async (rootfs) => archive.putArchive(await this.fsInput(c, rootfs, idOrName), path, tar, { ...options, user: c.config.User }));
    // docker cp into a container: dockerd's extract-to-dir event.
    this.ctx.publish('extract-to-dir', c, { path });
  }

  async exportChanges(idOrName: string): Promise<Readable> {
    return this.changesTar(this.ctx.deps.store.find(idOrName));
  }

  private changesTar(c: Container): Readable {
    return this.ctx.deps.layers.exportRw(c.rwLayer, new Set(PLACEHOLDER_PATHS));
  }

  /** What the archive code needs to see the container's filesystem: its volumes and binds, and its /etc files. */
  private async fsInput(c: Container, rootfs: string, asked: string): Promise<archive.ContainerFsInput> {
    const mounts = (c.mounts ?? [])
      .filter((m) => m.point.Type !== 'tmpfs')
      .map((m) => ({ destination: m.point.Destination, source: m.point.Source, readonly: !m.point.RW }));
    mounts.push(...(await etcArchiveMounts(c)));
    return { rootfs, mounts, container: asked, readonlyRootfs: !!c.hostConfig.ReadonlyRootfs };
  }

  /**
   * Runs `fn` with the container's filesystem mounted: the live mount when it
   * runs, else one made for it. The mount is held until the result (or its
   * stream) is done: an exit meanwhile does not unmount it (see RootfsHolds).
   */
  private async withRootfs<T>(c: Container, fn: (rootfs: string) => Promise<T> | T): Promise<T> {
    const letGo = await this.ctx.rootfs.hold(c.id);
    try {
      const result = await fn(this.ctx.rootfsOf(c.id));
      const stream = streamOf(result);
      if (stream) stream.once('close', () => void letGo());
      else await letGo();
      return result;
    } catch (err) {
      await letGo();
      throw err;
    }
  }
}

/**
 * Files and directories made in the rw layer at start when the image lacks
 * them: mount points (by the runtime) and the rest of dockerd's init layer
 * (etc-files.ts). Docker keeps them in a per-container "init" layer, so they
 * never show in diff or commit; berth leaves them out instead.
 */
const MOUNT_PLACEHOLDERS = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab', '/.dockerenv', '/dev/console', '/dev/pts', '/dev/shm', '/dev/mqueue', '/proc', '/sys'];

/** The placeholders as paths relative to the rootfs: a container's rw size leaves them out, as dockerd's leaves out its init layer. */
export const PLACEHOLDER_PATHS: ReadonlySet<string> = new Set(MOUNT_PLACEHOLDERS.map((p) => p.slice(1)));

/** Drops placeholder entries, and directories that appear only because a placeholder was created in them. */
function withoutPlaceholders<T extends { path: string; kind: number }>(changes: T[]): T[] {
  const kept = changes.filter((c) => !MOUNT_PLACEHOLDERS.includes(c.path));
  const placeholderParents = new Set(MOUNT_PLACEHOLDERS.map((p) => p.slice(0, p.lastIndexOf('/')) || '/'));
  return kept.filter((c) => c.kind !== 0 || !placeholderParents.has(c.path) || kept.some((o) => o.path.startsWith(`${c.path}/`)));
}

function streamOf(value: unknown): Readable | null {
  if (value && typeof value === 'object') {
    if ('pipe' in value && typeof (value as Readable).pipe === 'function') return value as Readable;
    const tar = (value as { tar?: unknown }).tar;
    if (tar && typeof (tar as Readable).pipe === 'function') return tar as Readable;
  }
  return null;
}
