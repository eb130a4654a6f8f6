import { lchown, lstat, mkdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { errnoCode, invalid, isEngineError } from '../../lib/errors.js';
import {
  clearForEntry,
  createEntry,
  drain,
  entryComponents,
  refuseEntry,
  restoreDirTimes,
  type DirTimes,
  type Owner,
} from '../../lib/tar/extract.js';
import { readTar, type TarEntry } from '../../lib/tar/read.js';
import * as sys from '../../platform/linux/sys.js';
import { checkWritable, hostPathOf, mountOf, resolveInContainer, type ContainerView } from './archive-view.js';

/**
 * Extracts a tar into a directory of a running or stopped container, as
 * Docker's archive.Untar does for docker cp. Entry names are relative to the
 * extraction directory and may not climb above it; symlinks already in the
 * container are followed in the container's scope (Docker runs its untar
 * chrooted), so a link to '/' or '../../..' leads to the container's root,
 * never the host's. Each entry's directory is checked against read-only
 * mounts and a read-only root filesystem before anything is written there.
 */

export interface UnpackOptions {
  /** Refuse to replace a directory by a non-directory and the reverse (docker cp's default). */
  noOverwriteDirNonDir: boolean;
  /** Owner of everything written, instead of the tar's (docker cp -a with a container user). */
  owner?: Owner;
}

interface Unpack {
  view: ContainerView;
  /** Resolved container components of the extraction directory. */
  dest: string[];
  options: UnpackOptions;
  dirTimes: DirTimes[];
}

export async function unpackInto(view: ContainerView, dest: string[], input: Readable, options: UnpackOptions): Promise<void> {
  const reader = await readTar(input, { digest: false }); // docker cp: no layer, no diff ID
  const unpack: Unpack = { view, dest, options, dirTimes: [] };
  try {
    for await (const entry of reader.entries()) await unpackEntry(unpack, entry);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    reader.abort(error);
    if (isEngineError(error) || typeof (error as NodeJS.ErrnoException).syscall === 'string') throw error;
    throw invalid(`error extracting tar: ${error.message}`, error); // malformed or truncated
  }
  await restoreDirTimes(unpack.dirTimes);
}

async function unpackEntry(unpack: Unpack, entry: TarEntry): Promise<void> {
  const { header } = entry;
  const relative = entryComponents(header.name);
  if (relative.length === 0) {
    // "./" is the extraction directory itself, which Docker leaves as it is.
    if (header.type !== 'directory') throw refuseEntry(header.name, 'not a directory');
    return drain(entry);
  }
  const parent = await ensureDirectory(unpack, header.name, relative.slice(0, -1));
  const targetComponents = [...parent, relative[relative.length - 1]!];
  const isDir = header.type === 'directory';
  checkWritable(unpack.view, targetComponents);
  if (!isDir && isMountDestination(unpack.view, targetComponents)) throw refuseEntry(header.name, 'cannot replace a mount point');
  const target = hostPathOf(unpack.view, targetComponents);
  const noOverwrite = unpack.options.noOverwriteDirNonDir ? { shownPath: shown(targetComponents), shownDest: shown(unpack.dest) } : undefined;
  await clearForEntry(target, isDir, noOverwrite);
  const created = await createEntry(entry, target, {
    sys,
    owner: unpack.options.owner,
    keepXattr: (name) => !name.startsWith('trusted.overlay.'), // the storage driver's own, never the tar's
    hardlinkSource: (components) => hardlinkSource(unpack, components),
  });
  if (created.dirTimes) unpack.dirTimes.push(created.dirTimes);
}

/**
 * Resolves the directory `relative` below the extraction directory in the
 * container's scope and creates what is missing, as Docker's implied parent
 * directories: mode 0755, owned by root or by the copy's owner. Returns its
 * resolved container components.
 */
async function ensureDirectory(unpack: Unpack, entryName: string, relative: string[]): Promise<string[]> {
  const { view } = unpack;
  const resolved = await resolveInContainer(view, shown([...unpack.dest, ...relative]), true);
  for (let depth = 1; depth <= resolved.length; depth++) {
    const components = resolved.slice(0, depth);
    const hostPath = hostPathOf(view, components);
    const st = await lstat(hostPath).catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return null;
      throw err;
    });
    if (st?.isDirectory()) continue;
    // A symlink here was either dangling (resolution went past it) or swapped in meanwhile: never write through it.
    if (st !== null) throw refuseEntry(entryName, `${JSON.stringify(shown(components))} is not a directory`);
    checkWritable(view, components);
    await mkdir(hostPath, { mode: 0o755 });
    await lchown(hostPath, unpack.options.owner?.uid ?? 0, unpack.options.owner?.gid ?? 0);
  }
  return resolved;
}

/**
 * A hardlink's target is named relative to the extraction directory (Docker
 * joins it to that directory and refuses names that leave it). Directories on
 * the way are resolved in the container's scope; the target itself is not
 * followed, as link(2) does not follow it either.
 */
async function hardlinkSource(unpack: Unpack, relative: string[]): Promise<string | null> {
  const components = await resolveInContainer(unpack.view, shown([...unpack.dest, ...relative]), false);
  const hostPath = hostPathOf(unpack.view, components);
  const exists = await lstat(hostPath).then(
    () => true,
    () => false,
  );
  return exists ? hostPath : null;
}

function isMountDestination(view: ContainerView, components: readonly string[]): boolean {
  return mountOf(view, components)?.destination.length === components.length;
}

/** Components as the container path Docker's messages show. */
function shown(components: readonly string[]): string {
  return `/${components.join('/')}`;
}
