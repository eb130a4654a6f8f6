import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic.js';
import { invalid } from '../lib/errors.js';
import { createLayerStore, probeOverlay } from '../engine/layers/index.js';
import type { LayerStore } from '../engine/layers/types.js';
import type { Logger } from './log.js';

/**
 * Picks the storage driver: the one asked for, else the one this data root
 * was made with, else overlay2 when the backing filesystem takes an overlay
 * mount, else vfs. The choice is recorded so a data root never changes driver
 * behind its layers' back.
 */
export async function openLayerStore(root: string, requested: '' | 'overlay2' | 'vfs', log: Logger): Promise<LayerStore> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const recordFile = join(root, 'driver');
  const recorded = (await readFile(recordFile, 'utf8').catch(() => '')).trim() as '' | 'overlay2' | 'vfs';
  if (requested && recorded && requested !== recorded) {
    throw invalid(`the data root was created with the ${recorded} storage driver; it cannot be opened with ${requested}`);
  }
  let driver = requested || recorded;
  if (!driver) {
    const probe = await probeOverlay(root);
    driver = probe.ok ? 'overlay2' : 'vfs';
    if (!probe.ok) log.warn(`overlay is not usable on ${root} (${probe.reason}); using the vfs storage driver`);
  }
  const store = await createLayerStore({ root, driver });
  if (!recorded) await writeFileAtomic(recordFile, driver);
  return store;
}
