import type { Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readXattrs } from './file-meta.js';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader, type TarType } from './tar-writer.js';
import { isOpaqueDir, isOverlayWhiteout, OVERLAY_XATTR_PREFIX, WHITEOUT_OPAQUE, WHITEOUT_PREFIX } from './whiteouts.js';

/**
 * Layer directories → uncompressed tar streams. Deterministic: entries in
 * sorted depth-first order, whole-second mtimes, no user/group names, so the
 * same layer always exports to the same bytes (and the same diff ID).
 */

/** One thing to write: a file (any type) found at `path` under the root, or a whiteout for it. */
export interface ExportItem {
  /** Root-relative, '/'-separated, no leading slash. */
  path: string;
  kind: 'entry' | 'whiteout';
}

const CHUNK = 1 << 20;

/** Exports an overlay diff directory: 0/0 char devices → `.wh.<name>`, opaque dirs → `<dir>/.wh..wh..opq`. */
export function exportOverlayDiff(diffDir: string): Readable {
  return Readable.from(writeTar(diffDir, walkOverlayDiff(diffDir, '')), { objectMode: false });
}

/** Exports chosen paths of a directory tree plus whiteouts (vfs: items come from comparing trees). */
export function exportItems(root: string, items: Iterable<ExportItem> | AsyncIterable<ExportItem>): Readable {
  return Readable.from(writeTar(root, items), { objectMode: false });
}

async function* walkOverlayDiff(diffDir: string, relDir: string): AsyncGenerator<ExportItem> {
  const names = (await readdir(join(diffDir, relDir))).sort();
  for (const name of names) {
    const path = relDir === '' ? name : `${relDir}/${name}`;
    const st = await lstat(join(diffDir, path));
    if (isOverlayWhiteout(st)) {
      yield { path, kind: 'whiteout' };
      continue;
    }
    yield { path, kind: 'entry' };
    if (st.isDirectory()) yield* walkOverlayDiff(diffDir, path);
  }
}

async function* writeTar(root: string, items: Iterable<ExportItem> | AsyncIterable<ExportItem>): AsyncGenerator<Buffer> {
  /** First path seen for each inode with several links: later ones become hardlink entries. */
  const firstPathOfInode = new Map<string, string>();
  for await (const item of items) {
    const hostPath = join(root, item.path);
    const st = await lstat(hostPath).catch(() => null);
    if (item.kind === 'whiteout') {
      yield encodeHeader(whiteoutHeader(item.path, st));
      continue;
    }
    if (st === null) continue; // vanished while exporting a live container layer
    const header = await headerFor(hostPath, item.path, st, firstPathOfInode);
    yield encodeHeader(header);
    if (header.type === 'file' && header.size > 0) yield* fileContent(hostPath, header.size);
    if (st.isDirectory() && isOpaqueDir(hostPath)) {
      yield encodeHeader({ ...header, name: `${item.path}/${WHITEOUT_OPAQUE}`, type: 'file', size: 0, xattrs: undefined });
    }
  }
  yield END_OF_ARCHIVE;
}

function whiteoutHeader(path: string, st: Stats | null): TarHeader {
  const slash = path.lastIndexOf('/');
  const name = `${path.slice(0, slash + 1)}${WHITEOUT_PREFIX}${path.slice(slash + 1)}`;
  // An overlay whiteout keeps its own owner and time; a vfs deletion has none, so zeros keep it reproducible.
  const ownTime = st !== null && isOverlayWhiteout(st);
  return {
    name,
    type: 'file',
    mode: 0,
    uid: ownTime ? st.uid : 0,
    gid: ownTime ? st.gid : 0,
    size: 0,
    mtime: ownTime ? Math.floor(st.mtimeMs / 1000) : 0,
  };
}

async function headerFor(hostPath: string, path: string, st: Stats, firstPathOfInode: Map<string, string>): Promise<TarHeader> {
  const base: TarHeader = {
    name: path,
    type: typeOf(st),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: 0,
    mtime: Math.floor(st.mtimeMs / 1000),
    xattrs: readXattrs(hostPath, isHostOnlyXattr),
  };
  if (!st.isDirectory() && st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = firstPathOfInode.get(key);
    if (first !== undefined) return { ...base, type: 'link', linkname: first, xattrs: undefined };
    firstPathOfInode.set(key, path);
  }
  if (st.isFile()) return { ...base, size: st.size };
  if (st.isSymbolicLink()) return { ...base, linkname: await readlink(hostPath) };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return { ...base, devmajor: Math.floor(st.rdev / 256) & 0xfff, devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) };
  }
  return base;
}

/** xattrs that describe this host's storage, not the image: overlay's own, and SELinux labels. */
function isHostOnlyXattr(name: string): boolean {
  return name.startsWith(OVERLAY_XATTR_PREFIX) || name === 'security.selinux';
}

function typeOf(st: Stats): TarType {
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return 'file';
}

/** Exactly `size` bytes of the file (zero-filled or cut if it changed meanwhile), then block padding. */
async function* fileContent(path: string, size: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    let offset = 0;
    while (offset < size) {
      const buffer = Buffer.alloc(Math.min(CHUNK, size - offset));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) {
        yield Buffer.alloc(size - offset);
        break;
      }
      offset += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
  yield padding(size);
}
