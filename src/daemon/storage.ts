import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLayerStore, probeOverlay } from '../engine/layers/store.js';
import type { LayerStore } from '../engine/layers/types.js';
import type { Logger } from './log.js';

/**
 * Picks the storage driver: the one asked for, else the one this data root
 * was made with (the store records it and refuses another), else overlay2 when
 * the backing filesystem takes an overlay mount, else vfs.
 */
export async function openLayerStore(root: string, requested: '' | 'overlay2' | 'vfs', log: Logger): Promise<LayerStore> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const recorded = (await readFile(join(root, '.driver'), 'utf8').catch(() => '')).trim();
  let driver: '' | 'overlay2' | 'vfs' = requested || (recorded === 'overlay2' || recorded === 'vfs' ? recorded : '');
  if (!driver) {
    const probe = await probeOverlay(root);
    driver = probe.supported ? 'overlay2' : 'vfs';
    if (!probe.supported) log.warn(`overlay is not usable on ${root} (${probe.reason}); using the vfs storage driver`);
  }
  return createLayerStore({ root, driver });
}
