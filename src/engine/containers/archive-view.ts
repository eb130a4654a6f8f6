import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, invalid, notFound, type EngineError } from '../../lib/errors.js';
import { PathError, resolveComponents, splitInRoot } from '../../lib/safe-path.js';

/**
 * A container's filesystem as its processes see it, for docker cp and the
 * archive API: the root filesystem mounted at `rootfs` plus volumes and binds
 * at their destinations. Paths are resolved in the container's scope (as if
 * chrooted: absolute symlinks start at its root, '..' stops there), and a path
 * at or below a mount's destination lives in that mount's source — which is
 * what Docker gets by running its archive code inside the container's mount
 * namespace. Nothing resolved here can name a host path outside `rootfs` and
 * the mount sources.
 */

export interface ArchiveMount {
  /** Absolute path inside the container. */
  destination: string;
  /** Host directory (or file) mounted there. */
  source: string;
  readonly: boolean;
}

export interface ContainerFsInput {
  /** Host directory where the container's root filesystem is mounted. */
  rootfs: string;
  mounts: readonly ArchiveMount[];
  /** The name the client used, for Docker's "Could not find the file … in container <name>". */
  container: string;
  readonlyRootfs?: boolean;
}

interface ViewMount {
  destination: string[];
  source: string;
  readonly: boolean;
}

export interface ContainerView {
  rootfs: string;
  container: string;
  readonlyRootfs: boolean;
  /** Longest destination first, so the innermost mount wins. */
  mounts: ViewMount[];
}

/** Builds the view; mount sources are made real paths so that a host symlink is never read in container scope. */
export async function containerView(input: ContainerFsInput): Promise<ContainerView> {
  const rootfs = await realpath(input.rootfs);
  const mounts: ViewMount[] = [];
  for (const mount of input.mounts) {
    mounts.push({ destination: cleanComponents(mount.destination), source: await realpath(mount.source), readonly: mount.readonly });
  }
  mounts.sort((a, b) => b.destination.length - a.destination.length);
  return { rootfs, container: input.container, readonlyRootfs: input.readonlyRootfs ?? false, mounts };
}

/** The innermost mount holding `components`, or null for the root filesystem. */
export function mountOf(view: ContainerView, components: readonly string[]): ViewMount | null {
  return view.mounts.find((mount) => isPrefix(mount.destination, components)) ?? null;
}

/** Host path of clean container components (already resolved: this does not look at symlinks). */
export function hostPathOf(view: ContainerView, components: readonly string[]): string {
  const mount = mountOf(view, components);
  if (mount === null) return join(view.rootfs, ...components);
  return join(mount.source, ...components.slice(mount.destination.length));
}

/** Resolves a container path to clean components, following symlinks in the container's scope. */
export async function resolveInContainer(view: ContainerView, path: string, followFinal: boolean): Promise<string[]> {
  try {
    return await resolveComponents(path, (components) => hostPathOf(view, components), { followFinal });
  } catch (err) {
    if (err instanceof PathError) throw invalid(err.message);
    throw err;
  }
}

/** Refuses writes below `components` when they land on a read-only mount or a read-only root filesystem, as Docker words it. */
export function checkWritable(view: ContainerView, components: readonly string[]): void {
  const mount = mountOf(view, components);
  if (mount?.readonly) throw invalid('mounted volume is marked read-only');
  if (mount === null && view.readonlyRootfs) throw invalid('container rootfs is marked read-only');
}

/** Docker's error for a path that does not exist in the container. */
export function fileNotFound(view: ContainerView, path: string): EngineError {
  return notFound(`Could not find the file ${path} in container ${view.container}`);
}

export function isNotFound(err: unknown): boolean {
  return errnoCode(err) === 'ENOENT';
}

/** A mount destination as clean components ('..' cannot climb above '/'). */
function cleanComponents(path: string): string[] {
  try {
    return splitInRoot(path);
  } catch (err) {
    throw invalid(`invalid mount destination ${JSON.stringify(path)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function isPrefix(prefix: readonly string[], components: readonly string[]): boolean {
  return prefix.length <= components.length && prefix.every((part, index) => components[index] === part);
}
