import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, invalid, unavailable } from '../../lib/errors.js';
import { mountOverlay, unmount } from '../../platform/linux/mount.js';
import { filesystemName } from '../../platform/linux/sys.js';
import { OverlayLayerStore } from './overlay.js';
import { PROBE_PREFIX } from './store-base.js';
import type { LayerStore } from './types.js';
import { VfsLayerStore } from './vfs.js';

export type LayerDriver = 'overlay2' | 'vfs';

export interface LayerStoreOptions {
  /** The store's directory (the daemon passes <data-root>/layers). */
  root: string;
  driver?: LayerDriver;
}

/**
 * Opens (creating if needed) a layer store. overlay2 is checked by really
 * mounting an overlay in the root first, so an unusable backing filesystem is
 * reported now, clearly, rather than at the first container start. A root
 * remembers its driver: the two lay out layers differently.
 */
export async function createLayerStore(options: LayerStoreOptions): Promise<LayerStore> {
  const driver = options.driver ?? 'overlay2';
  await mkdir(options.root, { recursive: true, mode: 0o700 });
  await claimRoot(options.root, driver);
  if (driver === 'overlay2') {
    const probe = await probeOverlay(options.root);
    if (!probe.supported) {
      throw unavailable(
        `the overlay2 storage driver cannot be used on ${options.root} (backing filesystem ${backingFilesystem(options.root)}): ${probe.reason}; use the vfs driver instead`,
      );
    }
  }
  const store = driver === 'overlay2' ? new OverlayLayerStore(options.root) : new VfsLayerStore(options.root);
  await store.open();
  return store;
}

/** The backing filesystem of `path` as `docker info` names it: 'extfs', 'xfs', 'tmpfs', 'overlayfs', … */
export function backingFilesystem(path: string): string {
  return filesystemName(path);
}

/** Tries a real overlay mount (one lower, upper, work) in a temp dir under `root`. */
export async function probeOverlay(root: string): Promise<{ supported: true } | { supported: false; reason: string }> {
  const dir = await mkdtemp(join(root, PROBE_PREFIX));
  const merged = join(dir, 'merged');
  try {
    for (const name of ['lower', 'upper', 'work', 'merged']) await mkdir(join(dir, name));
    mountOverlay(merged, { lower: [join(dir, 'lower')], upper: join(dir, 'upper'), work: join(dir, 'work') });
    unmount(merged);
    return { supported: true };
  } catch (err) {
    return { supported: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const DRIVER_FILE = '.driver';

async function claimRoot(root: string, driver: LayerDriver): Promise<void> {
  const path = join(root, DRIVER_FILE);
  const recorded = await readFile(path, 'utf8').catch((err: unknown) => {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  });
  if (recorded === null) await writeFile(path, driver);
  else if (recorded.trim() !== driver) {
    throw invalid(`the layer store at ${root} was created by the ${recorded.trim()} driver, not ${driver}`);
  }
}
