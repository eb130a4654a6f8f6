import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unmount, mountPoints } from '../../platform/linux/mount.js';

/** Test helpers for the layer store. Tarballs are built with lib's helpers; temp dirs here also undo mounts. */
export { makeTar, streamOf, type FixtureEntry } from '../../lib/tar/testing.js';

/** A temp dir under os.tmpdir(); cleanup() unmounts anything still mounted below it, then removes it. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async cleanup() {
      const below = [...mountPoints()].filter((p) => p.startsWith(`${path}/`)).sort().reverse();
      for (const target of below) unmount(target);
      await rm(path, { recursive: true, force: true });
    },
  };
}
