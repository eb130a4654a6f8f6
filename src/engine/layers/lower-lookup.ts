import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../lib/errors.js';
import { isOpaqueDir, isOverlayWhiteout } from './whiteouts.js';

export interface Found {
  path: string;
  stat: Stats;
}

/**
 * Finds a path in a stack of overlay diff directories (topmost first) the way
 * the merged overlay mount would show it: a whiteout hides the path in every
 * layer below, an opaque directory hides everything under it below, and a
 * non-directory hides whatever lower layers have beneath its name.
 */
export async function lookupInLayers(layers: readonly string[], components: readonly string[]): Promise<Found | null> {
  if (components.length === 0) return null;
  for (const layer of layers) {
    const outcome = await lookupInOneLayer(layer, components);
    if (outcome === 'hidden') return null;
    if (outcome !== 'absent') return outcome;
  }
  return null;
}

async function lookupInOneLayer(layer: string, components: readonly string[]): Promise<Found | 'absent' | 'hidden'> {
  let dir = layer;
  let hidesLower = false;
  for (const [index, name] of components.entries()) {
    const path = join(dir, name);
    const stat = await lstatOrNull(path);
    if (stat === null) return hidesLower ? 'hidden' : 'absent';
    if (isOverlayWhiteout(stat)) return 'hidden';
    if (index === components.length - 1) return { path, stat };
    if (!stat.isDirectory()) return 'hidden';
    if (isOpaqueDir(path)) hidesLower = true;
    dir = path;
  }
  return 'absent';
}

export async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw err;
  }
}
