import type { Stats } from 'node:fs';
import { open, readlink } from 'node:fs/promises';
import { readWithHoles, type HoleSeeker } from './hole-reader.js';
import { padding, type TarHeader, type TarType } from './writer.js';

/**
 * Building blocks for writing files of a directory tree into a tar: a header
 * from lstat, hardlinks recognised by inode, and file content read in chunks.
 * Callers walk the tree their own way (layers add whiteouts; docker cp
 * rebases names and crosses into volumes) and pass each file here.
 */

/** First archive name seen for each inode with several links: later names become hardlink entries. */
export type HardlinkIndex = Map<string, string>;

/**
 * The header for the file at `hostPath` (already lstat'ed as `st`), named
 * `name` in the archive. Whole-second mtimes and no user or group names keep
 * the output reproducible.
 */
export async function headerFor(
  hostPath: string,
  name: string,
  st: Stats,
  hardlinks: HardlinkIndex,
  xattrs?: ReadonlyMap<string, Buffer>,
): Promise<TarHeader> {
  const base: TarHeader = {
    name,
    type: tarTypeOf(st),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: 0,
    mtime: Math.floor(st.mtimeMs / 1000),
    xattrs,
  };
  if (!st.isDirectory() && st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = hardlinks.get(key);
    if (first !== undefined) return { ...base, type: 'link', linkname: first, xattrs: undefined };
    hardlinks.set(key, name);
  }
  if (st.isFile()) return { ...base, size: st.size };
  if (st.isSymbolicLink()) return { ...base, linkname: await readlink(hostPath) };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return { ...base, devmajor: Math.floor(st.rdev / 256) & 0xfff, devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) };
  }
  return base;
}

/** The tar type of a file; sockets have none and are the caller's to skip. */
export function tarTypeOf(st: Stats): TarType {
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return 'file';
}

/**
 * Exactly `size` bytes of the file (zero-filled or cut if it changed
 * meanwhile), then block padding; with a seeker its holes are not read.
 */
export async function* fileContent(path: string, size: number, seeker?: HoleSeeker): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    yield* readWithHoles(file, 0, size, seeker);
  } finally {
    await file.close();
  }
  yield padding(size);
}
