import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lgetxattr } from '../../platform/linux/sys.js';
import { lookupInLayers, lstatOrNull } from './lower-lookup.js';
import { isOpaqueDir, isOverlayWhiteout } from './whiteouts.js';

/** A change as `docker diff` reports it: kind 0 Modified, 1 Added, 2 Deleted; path absolute. */
export interface Change {
  path: string;
  kind: 0 | 1 | 2;
}

export const MODIFIED = 0;
export const ADDED = 1;
export const DELETED = 2;

/**
 * Changes recorded in an overlay upper directory, following Docker's
 * algorithm (pkg/archive changes()): whiteouts and opaque directories are
 * deletions; a path is Added unless the lower layers have it; a directory
 * with the same size, mode and mtime as below is not itself a change, but is
 * reported as Modified when something inside it was added or deleted.
 */
export async function overlayChanges(upper: string, lowers: readonly string[]): Promise<Change[]> {
  const changes: Change[] = [];
  const reportedDirs = new Set<string>();
  async function visit(rel: string[]): Promise<void> {
    const host = join(upper, ...rel);
    for (const name of (await readdir(host)).sort()) {
      const components = [...rel, name];
      const path = `/${components.join('/')}`;
      const st = await lstat(join(host, name));
      const kind = await overlayKind(join(host, name), st, lowers, components);
      if (kind !== null) {
        if (st.isDirectory()) reportedDirs.add(path);
        const parent = `/${rel.join('/')}`;
        if (kind !== MODIFIED && rel.length > 0 && !reportedDirs.has(parent)) {
          changes.push({ path: parent, kind: MODIFIED });
          reportedDirs.add(parent);
        }
        changes.push({ path, kind });
      }
      if (st.isDirectory()) await visit(components);
    }
  }
  await visit([]);
  return changes;
}

async function overlayKind(host: string, st: Stats, lowers: readonly string[], components: string[]): Promise<Change['kind'] | null> {
  if (isOverlayWhiteout(st) || (st.isDirectory() && isOpaqueDir(host))) return DELETED;
  const below = await lookupInLayers(lowers, components);
  if (below === null) return ADDED;
  if (st.isDirectory() && below.stat.isDirectory() && sameDirStat(st, below.stat)) return null;
  return MODIFIED;
}

function sameDirStat(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mode === b.mode && Math.floor(a.mtimeMs) === Math.floor(b.mtimeMs);
}

/**
 * Changes between two full trees (vfs), following Docker's ChangesDirs: stat
 * differences (mode, owner, rdev; size and mtime for non-directories) or a
 * different security.capability make Modified; a directory with changes
 * inside is reported Modified before them; a deleted directory is reported
 * alone. `oldRoot` null means everything is Added.
 */
export async function treeChanges(newRoot: string, oldRoot: string | null): Promise<Change[]> {
  const changes: Change[] = [];
  await compareDir(newRoot, oldRoot, [], changes, false);
  return changes;
}

async function compareDir(newDir: string, oldDir: string | null, rel: string[], changes: Change[], dirReported: boolean): Promise<void> {
  const sizeAtEntry = changes.length;
  const oldNames = new Set(oldDir === null ? [] : await readdirOrEmpty(oldDir));
  for (const name of (await readdir(newDir)).sort()) {
    const components = [...rel, name];
    const path = `/${components.join('/')}`;
    const newPath = join(newDir, name);
    const newStat = await lstat(newPath);
    const oldPath = oldDir !== null && oldNames.has(name) ? join(oldDir, name) : null;
    const oldStat = oldPath === null ? null : await lstatOrNull(oldPath);
    oldNames.delete(name);
    let reported = false;
    if (oldStat === null) {
      changes.push({ path, kind: ADDED });
      reported = true;
    } else if (statDifferent(oldStat, newStat) || !sameCapability(oldPath!, newPath)) {
      changes.push({ path, kind: MODIFIED });
      reported = true;
    }
    if (newStat.isDirectory()) {
      const oldChildDir = oldStat?.isDirectory() ? oldPath : null;
      await compareDir(newPath, oldChildDir, components, changes, reported);
    }
  }
  for (const name of [...oldNames].sort()) changes.push({ path: `/${[...rel, name].join('/')}`, kind: DELETED });
  if (changes.length > sizeAtEntry && !dirReported && rel.length > 0) {
    changes.splice(sizeAtEntry, 0, { path: `/${rel.join('/')}`, kind: MODIFIED });
  }
}

function statDifferent(a: Stats, b: Stats): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return true;
  if (a.isDirectory()) return false;
  return a.size !== b.size || Math.floor(a.mtimeMs) !== Math.floor(b.mtimeMs);
}

function sameCapability(a: string, b: string): boolean {
  const capA = lgetxattr(a, 'security.capability');
  const capB = lgetxattr(b, 'security.capability');
  return capA === null || capB === null ? capA === capB : capA.equals(capB);
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
