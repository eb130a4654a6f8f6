import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { errnoCode } from '../../lib/errors.js';
import { fileContent, headerFor, type HardlinkIndex } from '../../lib/tar/pack.js';
import { encodeHeader, END_OF_ARCHIVE } from '../../lib/tar/writer.js';
import { mountPoints } from '../../platform/linux/mount.js';
import { lgetxattr, seekData, seekHole } from '../../platform/linux/sys.js';
import { hostPathOf, type ContainerView } from './archive-view.js';

/**
 * Writes a part of a container's filesystem as a tar, the way Docker's
 * archive.TarWithOptions does for docker cp and docker export: symlinks are
 * stored, never followed; hardlinks within the archive become link entries;
 * sockets are left out; the only xattr kept is security.capability. The walk
 * goes through the container view, so it enters volumes at their
 * destinations, and never enters other mounts found below the root
 * filesystem (proc, sysfs, devices): their directories are archived empty.
 */

interface Walk {
  view: ContainerView;
  hardlinks: HardlinkIndex;
  /** Host mount points below the root filesystem, whose contents are not ours to archive. */
  foreignMounts: Set<string>;
}

const CAPABILITY_XATTR = 'security.capability';

/**
 * A tar of the file or directory at `components` (resolved container
 * components), named `name` in the archive; a directory's children are named
 * `<name>/<child>`. docker cp's rebasing picks the name: the base name
 * ('hostname', 'etc'), '.' for a path ending in '/.', and '' for the root,
 * whose children are then named '/bin', '/etc' as Docker names them.
 */
export function packPath(view: ContainerView, components: string[], name: string): Readable {
  return tarStream(view, (walk) => packEntry(walk, components, name));
}

/** A tar of what a directory contains, named relative to it and without an entry for it (docker export). */
export function packContents(view: ContainerView, components: string[]): Readable {
  return tarStream(view, (walk) => packChildren(walk, components, null));
}

function tarStream(view: ContainerView, entries: (walk: Walk) => AsyncGenerator<Buffer>): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    const walk: Walk = { view, hardlinks: new Map(), foreignMounts: mountPointsBelow(view.rootfs) };
    yield* entries(walk);
    yield END_OF_ARCHIVE;
  }
  return Readable.from(generate(), { objectMode: false });
}

async function* packEntry(walk: Walk, components: string[], name: string): AsyncGenerator<Buffer> {
  const hostPath = hostPathOf(walk.view, components);
  const st = await lstatOrNull(hostPath);
  if (st === null || st.isSocket()) return; // vanished while packing a live container; sockets have no tar form
  const header = await headerFor(hostPath, name, st, walk.hardlinks, capabilityOf(hostPath));
  yield encodeHeader({ ...header, typeBits: true });
  if (header.type === 'file' && header.size > 0) yield* fileContent(hostPath, header.size, { seekData, seekHole });
  if (st.isDirectory() && !walk.foreignMounts.has(hostPath)) yield* packChildren(walk, components, name);
}

async function* packChildren(walk: Walk, components: string[], name: string | null): AsyncGenerator<Buffer> {
  const children = await readdir(hostPathOf(walk.view, components)).catch(() => [] as string[]);
  for (const child of children.sort()) {
    yield* packEntry(walk, [...components, child], childName(name, child));
  }
}

/** `<parent>/<child>`, except at the top of docker export, whose names have no prefix at all. */
function childName(parent: string | null, child: string): string {
  return parent === null ? child : `${parent}/${child}`;
}

function capabilityOf(hostPath: string): Map<string, Buffer> | undefined {
  try {
    const value = lgetxattr(hostPath, CAPABILITY_XATTR);
    return value === null ? undefined : new Map([[CAPABILITY_XATTR, value]]);
  } catch (err) {
    if (errnoCode(err) === 'ENOTSUP') return undefined;
    throw err;
  }
}

function mountPointsBelow(rootfs: string): Set<string> {
  return new Set([...mountPoints()].filter((path) => path.startsWith(`${rootfs}/`)));
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}
