import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, invalid } from '../../lib/errors.js';
import { PathError, resolveComponents, walkNoSymlinks } from '../../lib/safe-path.js';

/**
 * Makes a mount point inside a container's root filesystem and says where it
 * really is. Every component is resolved inside the rootfs, as the container
 * would see it: an image whose /data is a symlink to /etc gets its mount on
 * the rootfs's /etc, never on the host's. The returned `destination` is that
 * resolved in-container path, which is what goes into the OCI spec (runc then
 * finds no symlink left to follow).
 *
 * `kind` is what will be mounted: a directory (volumes, tmpfs, directory
 * binds; created as with mkdir -p) or a file (file binds; parent directories
 * made, then an empty file).
 */
export async function prepareMountPoint(
  rootfs: string,
  destination: string,
  kind: 'dir' | 'file',
): Promise<{ destination: string; hostPath: string }> {
  const components = await inRoot(() => resolveComponents(destination, (c) => join(rootfs, ...c), { followFinal: true }), destination);
  if (components.length === 0) throw invalid(`invalid mount destination ${destination}: resolves to the container's root`);
  if (kind === 'dir') {
    await inRoot(() => walkNoSymlinks(rootfs, components, true), destination);
  } else {
    await inRoot(() => walkNoSymlinks(rootfs, components.slice(0, -1), true), destination);
    await touchNoFollow(join(rootfs, ...components));
  }
  return { destination: `/${components.join('/')}`, hostPath: join(rootfs, ...components) };
}

async function inRoot<T>(fn: () => Promise<T>, destination: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PathError) throw invalid(`cannot create mount point ${destination}: ${err.message}`);
    throw err;
  }
}

/** Creates an empty file unless something is there already; never through a symlink. */
async function touchNoFollow(path: string): Promise<void> {
  try {
    const fh = await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o755);
    await fh.close();
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
}
