import { lstatSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalid, isEngineError } from '../../lib/errors.js';
import type { Digest } from '../../lib/digest.js';
import { PathError, walkNoSymlinks } from '../../lib/safe-path.js';
import {
  clearForEntry,
  createEntry,
  drain,
  entryComponents,
  entryMeta,
  refuseEntry as refuse,
  restoreDirTimes,
  type DirTimes,
} from '../../lib/tar/extract.js';
import { applyMeta, copyFileWithMeta, metaOf, readXattrs } from '../../lib/tar/file-meta.js';
import { readTar, type EntryHeader, type TarEntry } from '../../lib/tar/read.js';
import * as sys from '../../platform/linux/sys.js';
import { lookupInLayers, lstatOrNull } from './lower-lookup.js';
import type { SplitRecorder } from './tar-split.js';
import {
  makeOverlayWhiteout,
  markOpaque,
  OVERLAY_XATTR_PREFIX,
  WHITEOUT_META_PREFIX,
  WHITEOUT_OPAQUE,
  WHITEOUT_PREFIX,
} from './whiteouts.js';

/**
 * Extracts a layer tar into a directory, refusing anything that would write
 * outside it. The caller extracts into a fresh temp directory and throws it
 * away on error, which is what makes "leaves nothing behind" true.
 */

export interface ApplyOptions {
  /**
   * 'overlay': whiteouts become 0/0 char devices and opaque xattrs in `dest`
   * (a layer's own diff). 'delete': they delete from `dest` (a full vfs copy).
   */
  whiteouts: 'overlay' | 'delete';
  /** Diff dirs of the layers below (topmost first): hardlink targets found only there are copied up. */
  lowers?: readonly string[];
  /** Records the tar as tar-split metadata while it is extracted (see tar-split.ts). */
  split?: SplitRecorder;
  /** The diff ID, when the caller knows the bytes hash to it: they are not hashed again. */
  diffId?: Digest;
  /** The caller runs in a worker thread: file content is written with blocking calls. */
  blocking?: boolean;
  /** `dest` is a directory made empty for this extraction (a new layer's diff), so nothing in it needs clearing. */
  emptyDest?: boolean;
  /** The process's umask (read on the main thread): a new file whose mode it leaves whole needs no chmod. */
  umask?: number;
}

export interface ApplyResult {
  diffId: Digest;
  /** Bytes of regular file content written into this layer. */
  size: number;
  /**
   * What moby's directory.Size would measure in `dest` (st_size of every non-directory, each inode
   * once), known without walking the tree when the extraction started empty and never removed or
   * replaced anything it made; undefined otherwise.
   */
  treeSize?: number;
}

interface Context {
  dest: string;
  options: ApplyOptions;
  size: number;
  /** Directories whose times are set last: creating children changes a directory's mtime. */
  dirTimes: DirTimes[];
  /** Relative paths this tar wrote, so a vfs opaque marker spares them. */
  written: Set<string>;
  /**
   * Relative paths already checked to be real directories (no symlink on the
   * way) during this extraction: most entries share their parents, and an
   * lstat of every component of every entry was the cost of extraction.
   * An entry or whiteout that replaces a path forgets it and what is below.
   */
  knownDirs: Set<string>;
  /** The number of the entry being applied, in tar order (for the tar-split recorder). */
  index: number;
  /**
   * Directories this extraction created (an overlay diff starts empty, so its
   * root too): a name in one that `written` does not have yet is free, and
   * needs no lstat before it is created. Kept conservative: `written` only grows.
   */
  freshDirs: Set<string>;
  /** Fresh directories with the setgid bit: what is created in them takes their group (and a directory the bit). */
  setgidDirs: Set<string>;
  /** Bytes of symlink targets written (a symlink's st_size), for treeSize. */
  linkBytes: number;
  /** Something this extraction made was removed or replaced: the tree's size must be measured. */
  replaced: boolean;
}

export async function applyTar(input: Readable, dest: string, options: ApplyOptions): Promise<ApplyResult> {
  const split = options.split;
  const tap = split ? { tap: (chunk: Buffer) => split.scanner.write(chunk) } : {};
  const reader = await readTar(input, { ...tap, digest: options.diffId === undefined });
  const freshDirs = new Set(options.emptyDest ? [''] : []);
  const ctx: Context = {
    dest, options, size: 0, dirTimes: [], written: new Set(), knownDirs: new Set(), index: -1, freshDirs, setgidDirs: new Set(), linkBytes: 0, replaced: false,
  };
  try {
    for await (const entry of reader.entries()) {
      ctx.index++;
      await applyEntry(ctx, entry);
    }
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    reader.abort(error);
    throw extractionError(error);
  }
  await restoreDirTimes(ctx.dirTimes);
  const treeSize = options.emptyDest && !ctx.replaced ? ctx.size + ctx.linkBytes : undefined;
  return { diffId: options.diffId ?? reader.diffId(), size: ctx.size, ...(treeSize === undefined ? {} : { treeSize }) };
}

/**
 * What an extraction that failed with `error` reports. Refusals are EngineErrors already, and host
 * failures (ENOSPC, EIO…) are not the tar's fault; anything else is a malformed or truncated tar.
 */
export function extractionError(error: Error): Error {
  if (isEngineError(error) || isSystemError(error)) return error;
  return invalid(`error extracting layer: ${error.message}`, error);
}

/** A failed syscall (has .syscall), as opposed to a stream or format error. */
function isSystemError(err: Error): boolean {
  return typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

async function applyEntry(ctx: Context, entry: TarEntry): Promise<void> {
  const { header } = entry;
  const name = header.name;
  const components = entryComponents(name);
  if (components.length === 0) {
    // The root itself ("./"): Docker keeps the layer root as it is.
    if (header.type !== 'directory') throw refuse(name, 'not a directory');
    return drain(entry);
  }
  const base = components[components.length - 1]!;
  if (base.startsWith(WHITEOUT_PREFIX)) {
    await (ctx.options.split ? ctx.options.split.capture(ctx.index, entry.body) : drain(entry));
    return applyWhiteout(ctx, header, components);
  }
  const parent = await ensureParents(ctx, name, components.slice(0, -1));
  const target = join(parent, base);
  const key = components.join('/');
  // Nothing can be in the way in a directory this extraction made, at a name it has not used yet.
  const parentKey = components.slice(0, -1).join('/');
  const fresh = ctx.freshDirs.has(parentKey) && !ctx.written.has(key);
  if (header.type !== 'directory') forgetDir(ctx, key);
  ctx.options.split?.displace(key, header.type !== 'directory');
  if (!fresh && (await clearForEntry(target, header.type === 'directory'))) ctx.replaced = true;
  const created = await createEntry(entry, target, {
    sys,
    keepXattr: isImageXattr,
    blocking: ctx.options.blocking,
    hardlinkSource: (targetComponents) => findOrCopyUp(ctx, name, targetComponents),
    // A new entry in a fresh directory without setgid gets this process's owner and the mode asked minus the umask.
    ...(fresh && !ctx.setgidDirs.has(parentKey) ? { creates: { uid: EUID, gid: EGID, umask: ctx.options.umask } } : {}),
  });
  if (header.type === 'file' || header.type === 'contiguous-file') ctx.options.split?.place(ctx.index, key);
  if (header.type === 'symlink') ctx.linkBytes += Buffer.byteLength(header.linkname ?? '');
  ctx.size += created.bytes;
  if (created.dirTimes) {
    ctx.dirTimes.push(created.dirTimes);
    // Made (or kept) as a real directory just now, under parents already checked: entries below it need no walk.
    ctx.knownDirs.add(key);
    if (fresh) ctx.freshDirs.add(key);
    if (fresh && created.dirTimes.meta.mode & 0o2000) ctx.setgidDirs.add(key);
  }
  ctx.written.add(key);
}

/** Who creates files here: a created file's owner before any chown. */
const EUID = process.geteuid?.() ?? -1;
const EGID = process.getegid?.() ?? -1;

/** A layer tar may not set the xattrs overlayfs interprets itself. */
function isImageXattr(name: string): boolean {
  return !name.startsWith(OVERLAY_XATTR_PREFIX);
}

async function resolveDir(ctx: Context, name: string, components: string[], create: boolean): Promise<string | null> {
  const key = components.join('/');
  if (key === '' || ctx.knownDirs.has(key)) return join(ctx.dest, ...components);
  try {
    const dir = await walkNoSymlinks(ctx.dest, components, create);
    if (dir !== null) for (let depth = 1; depth <= components.length; depth++) ctx.knownDirs.add(components.slice(0, depth).join('/'));
    return dir;
  } catch (err) {
    if (err instanceof PathError) throw refuse(name, err.message);
    throw err;
  }
}

/** Forgets a path (and everything below it) that is about to be replaced or removed. */
function forgetDir(ctx: Context, key: string): void {
  if (!ctx.knownDirs.has(key)) return;
  for (const known of ctx.knownDirs) if (known === key || known.startsWith(`${key}/`)) ctx.knownDirs.delete(known);
}

/**
 * The host path of a hardlink's target inside this layer. A target that lives
 * only in a lower layer is first copied up into this one (hardlinks cannot
 * cross layers), as Docker's overlay2 does.
 */
async function findOrCopyUp(ctx: Context, name: string, components: string[]): Promise<string | null> {
  const parent = await resolveDir(ctx, name, components.slice(0, -1), false);
  const here = parent === null ? null : join(parent, components[components.length - 1]!);
  const st = here === null ? null : await lstatOrNull(here);
  if (st !== null) {
    if (st.isDirectory()) throw refuse(name, 'hardlink to a directory');
    if (st.isCharacterDevice() && st.rdev === 0 && ctx.options.whiteouts === 'overlay') return null; // a whiteout
    return here;
  }
  const lower = await lookupInLayers(ctx.options.lowers ?? [], components);
  if (lower === null || lower.stat.isDirectory()) return null;
  if (!lower.stat.isFile()) throw refuse(name, 'hardlink to a special file of a lower layer');
  const copyParent = await ensureParents(ctx, name, components.slice(0, -1));
  const copy = join(copyParent, components[components.length - 1]!);
  await copyFileWithMeta(sys, lower.path, copy, lower.stat);
  ctx.written.add(components.join('/')); // taken: a later entry of that name must clear it first
  ctx.size += lower.stat.size;
  return copy;
}

/**
 * Returns the directory `components`, creating what is missing. A directory
 * that exists in a lower layer is created with the metadata it has there, as
 * overlayfs's own copy-up would: an upper directory's owner and mode win in
 * the merged view. Others get root:root 0755, as Docker gives them.
 */
async function ensureParents(ctx: Context, name: string, components: string[]): Promise<string> {
  const existing = await resolveDir(ctx, name, components, false);
  if (existing !== null) return existing;
  for (let depth = 1; depth <= components.length; depth++) {
    const prefix = components.slice(0, depth);
    if ((await resolveDir(ctx, name, prefix, false)) !== null) continue;
    const dir = await resolveDir(ctx, name, prefix, true);
    ctx.freshDirs.add(prefix.join('/'));
    // walkNoSymlinks made it 0755 root:root, inheriting a setgid parent's group and bit if it has one.
    if (ctx.setgidDirs.has(prefix.slice(0, -1).join('/'))) ctx.setgidDirs.add(prefix.join('/'));
    const lower = await lookupInLayers(ctx.options.lowers ?? [], prefix);
    if (lower?.stat.isDirectory()) {
      if (lower.stat.mode & 0o2000) ctx.setgidDirs.add(prefix.join('/'));
      const meta = metaOf(lower.stat, readXattrs(sys, lower.path, (x) => x.startsWith(OVERLAY_XATTR_PREFIX)));
      await applyMeta(sys, dir!, meta, { symlink: false, skipTimes: true });
      ctx.dirTimes.push({ path: dir!, meta });
    }
  }
  return (await resolveDir(ctx, name, components, true))!;
}

async function applyWhiteout(ctx: Context, header: EntryHeader, components: string[]): Promise<void> {
  const name = header.name;
  const base = components[components.length - 1]!;
  const parentComponents = components.slice(0, -1);
  if (base === WHITEOUT_OPAQUE) return applyOpaque(ctx, name, parentComponents);
  if (base.startsWith(WHITEOUT_META_PREFIX)) return; // AUFS bookkeeping (.wh..wh.plnk …): no file behind it
  const hidden = base.slice(WHITEOUT_PREFIX.length);
  if (hidden === '' || hidden === '.' || hidden === '..') throw refuse(name, 'invalid whiteout name');
  const overlay = ctx.options.whiteouts === 'overlay';
  const parent = overlay ? await ensureParents(ctx, name, parentComponents) : await resolveDir(ctx, name, parentComponents, false);
  if (parent === null) return; // vfs: nothing there to delete
  const target = join(parent, hidden);
  forgetDir(ctx, [...parentComponents, hidden].join('/'));
  ctx.options.split?.displace([...parentComponents, hidden].join('/'), true);
  if (lstatSync(target, { throwIfNoEntry: false }) !== undefined) ctx.replaced = true;
  await rm(target, { recursive: true, force: true });
  if (overlay) {
    makeOverlayWhiteout(target);
    await applyMeta(sys, target, { ...entryMeta({ header, xattrs: new Map() }, { keepXattr: isImageXattr }), mode: 0 }, { symlink: false });
  }
  ctx.written.add([...parentComponents, hidden].join('/'));
}

/** `.wh..wh..opq`: the directory hides everything lower layers have in it. */
async function applyOpaque(ctx: Context, name: string, dirComponents: string[]): Promise<void> {
  const dir = await ensureParents(ctx, name, dirComponents);
  if (ctx.options.whiteouts === 'overlay') {
    markOpaque(dir);
    return;
  }
  const prefix = dirComponents.length === 0 ? '' : `${dirComponents.join('/')}/`;
  for (const child of await readdir(dir)) {
    if (ctx.written.has(prefix + child)) continue;
    forgetDir(ctx, prefix + child);
    ctx.replaced = true;
    ctx.options.split?.displace(prefix + child, true);
    await rm(join(dir, child), { recursive: true, force: true });
  }
}
