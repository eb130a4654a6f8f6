import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readXattrs } from '../../lib/tar/file-meta.js';
import { fileContent, headerFor, type HardlinkIndex } from '../../lib/tar/pack.js';
import { encodeHeader, END_OF_ARCHIVE, type TarHeader } from '../../lib/tar/writer.js';
import * as sys from '../../platform/linux/sys.js';
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

/** Exports an overlay diff directory: 0/0 char devices → `.wh.<name>`, opaque dirs → `<dir>/.wh..wh..opq`. */
export function exportOverlayDiff(diffDir: string, exclude?: ReadonlySet<string>): Readable {
  return Readable.from(writeTar(diffDir, without(walkOverlayDiff(diffDir, ''), exclude)), { objectMode: false });
}

async function* without(items: AsyncIterable<ExportItem>, exclude: ReadonlySet<string> | undefined): AsyncGenerator<ExportItem> {
  for await (const item of items) if (!exclude?.has(item.path)) yield item;
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
  const hardlinks: HardlinkIndex = new Map();
  for await (const item of items) {
    const hostPath = join(root, item.path);
    const st = await lstat(hostPath).catch(() => null);
    if (item.kind === 'whiteout') {
      yield encodeHeader(whiteoutHeader(item.path, st));
      continue;
    }
    if (st === null) continue; // vanished while exporting a live container layer
    const header = await headerFor(hostPath, item.path, st, hardlinks, readXattrs(sys, hostPath, isHostOnlyXattr));
    yield encodeHeader(header);
    // A plain entry even for a sparse file, as dockerd writes it (the same
    // content must give the same diff ID); its holes are not read, only hashed.
    if (header.type === 'file' && header.size > 0) yield* fileContent(hostPath, header.size, sys);
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

/** xattrs that describe this host's storage, not the image: overlay's own, and SELinux labels. */
function isHostOnlyXattr(name: string): boolean {
  return name.startsWith(OVERLAY_XATTR_PREFIX) || name === 'security.selinux';
}
