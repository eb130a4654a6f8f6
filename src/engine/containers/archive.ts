import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { errnoCode, invalid } from '../../lib/errors.js';
import { packContents, packPath } from './archive-pack.js';
import { containerPath, followsFinal, goBase, pathStat } from './archive-stat.js';
import { unpackInto } from './archive-unpack.js';
import {
  checkWritable,
  containerView,
  fileNotFound,
  hostPathOf,
  resolveInContainer,
  type ContainerFsInput,
  type ContainerView,
} from './archive-view.js';
import type { ArchiveStat } from './types.js';
import { resolveUser } from './user.js';

/**
 * docker cp, docker export and the archive API (HEAD, GET and PUT
 * /containers/{id}/archive) over a container's mounted root filesystem, with
 * Docker's semantics (moby daemon/archive*.go, pkg/archive):
 *
 * - a path is absolute in the container; a trailing '/' or '/.' follows a
 *   final symlink, otherwise it is reported and archived as the link itself;
 * - archive entries are rebased on the path's base name: /etc/hostname gives
 *   `hostname`, /etc and /etc/ give `etc/…`, /etc/. gives `./…`, / gives `/…`;
 * - paths resolve in the container's scope, into volumes at their
 *   destinations, and never to a host file outside the container.
 *
 * The caller (the containers service) mounts the root filesystem first and
 * passes where, with the container's mounts and name.
 */

export type { ArchiveMount, ContainerFsInput } from './archive-view.js';

export interface PutArchiveOptions {
  /** Refuse to replace a directory by a non-directory or the reverse (the API's noOverwriteDirNonDir). */
  noOverwriteDirNonDir: boolean;
  /** Give everything written to the container's user (the API's copyUIDGID, docker cp -a). */
  copyUIDGID: boolean;
  /** The container's Config.User; with copyUIDGID and no user, the tar's owners are kept, as Docker does. */
  user?: string;
  /** Owner of everything written and of implied directories, resolved in the container's passwd and group files (COPY --chown). */
  chown?: string;
}

interface Located {
  /** Resolved container components. */
  components: string[];
  stat: ArchiveStat;
}

/** The X-Docker-Container-Path-Stat of `path`: Docker's PathStat with Go's FileMode bits. */
export async function statPath(fs: ContainerFsInput, path: string): Promise<ArchiveStat> {
  const view = await containerView(fs);
  return (await locate(view, path)).stat;
}

/** A tar of the file or directory at `path`, with entries named as docker cp expects. */
export async function getArchive(fs: ContainerFsInput, path: string): Promise<{ stat: ArchiveStat; tar: Readable }> {
  const view = await containerView(fs);
  const located = await locate(view, path);
  const base = goBase(containerPath(path));
  const name = base === '/' ? '' : base; // the root's children become '/bin', '/etc' (moby's rebase of '.' to '')
  return { stat: located.stat, tar: packPath(view, located.components, name) };
}

/** Extracts `tar` into the directory `path` of the container. */
export async function putArchive(fs: ContainerFsInput, path: string, tar: Readable, options: PutArchiveOptions): Promise<void> {
  const view = await containerView(fs);
  // Docker resolves the extraction point with every symlink followed, the last one too.
  const dest = await resolveInContainer(view, containerPath(path), true);
  const st = await lstatInContainer(view, dest, path);
  if (!st.isDirectory()) throw invalid('extraction point is not a directory');
  checkWritable(view, dest);
  const ownerSpec = options.chown ?? (options.copyUIDGID ? options.user : undefined);
  const owner = ownerSpec ? (await resolveUser(view.rootfs, ownerSpec)).user : undefined;
  await unpackInto(view, dest, tar, {
    noOverwriteDirNonDir: options.noOverwriteDirNonDir,
    owner: owner && { uid: owner.uid, gid: owner.gid },
  });
}

/**
 * docker export: the whole root filesystem as a tar, entries named relative
 * to the root without an entry for the root itself. Volumes are not included
 * (Docker exports the container's layer mount only), and mounts found below
 * the root (proc, sysfs, devices) are exported as empty directories.
 */
export async function exportRootfs(rootfs: string): Promise<Readable> {
  const view = await containerView({ rootfs, mounts: [], container: '' });
  return packContents(view, []);
}

async function locate(view: ContainerView, path: string): Promise<Located> {
  const requested = containerPath(path);
  const follow = followsFinal(requested);
  const components = await resolveInContainer(view, requested, follow);
  const st = await lstatInContainer(view, components, path);
  if (follow && !st.isDirectory()) throw invalid(`lstat ${requested}: not a directory`);
  // A symlink's target, fully evaluated in the container's scope, as an absolute container path.
  const linkTarget = st.isSymbolicLink() ? `/${(await resolveInContainer(view, requested, true)).join('/')}` : '';
  return { components, stat: pathStat(goBase(requested), st, linkTarget) };
}

async function lstatInContainer(view: ContainerView, components: string[], path: string): Promise<BigIntStats> {
  try {
    return await lstat(hostPathOf(view, components), { bigint: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw fileNotFound(view, path);
    if (errnoCode(err) === 'ENOTDIR') throw invalid(`lstat ${containerPath(path)}: not a directory`);
    throw err;
  }
}
