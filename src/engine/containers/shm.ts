import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID, mount, umount2 } from '../../platform/linux/sys.js';

/**
 * The /dev/shm of an `--ipc shareable` container: a tmpfs on the host in its
 * directory (dockerd's containers/<id>/mounts/shm), bound into it and into
 * every `--ipc container:<it>`. A tmpfs made inside the donor's own mount
 * namespace could not be bound into another container.
 */
export function shmPathOf(containerDir: string): string {
  return join(containerDir, 'mounts', 'shm');
}

export async function mountShareableShm(containerDir: string, sizeBytes: number): Promise<string> {
  const path = shmPathOf(containerDir);
  await mkdir(path, { recursive: true });
  unmountShareableShm(containerDir); // one left by a run berthd did not see end
  mount('shm', path, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, `mode=1777,size=${sizeBytes}`);
  return path;
}

export function unmountShareableShm(containerDir: string): void {
  try {
    umount2(shmPathOf(containerDir), MNT_DETACH);
  } catch {
    // not mounted (or already gone with the directory)
  }
}
