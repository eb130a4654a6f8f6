import { constants as fsc } from 'node:fs';
import { link, mkdir, open, readdir, rm, symlink, lutimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalid, isEngineError } from '../../lib/errors.js';
import type { Digest } from '../../lib/digest.js';
import { mknod, S_IFBLK, S_IFCHR, S_IFIFO } from '../../platform/linux/sys.js';
import { applyMeta, copyFileWithMeta, metaOf, readXattrs, type FileMeta } from './file-meta.js';
import { lookupInLayers, lstatOrNull } from './lower-lookup.js';
import { PathError, splitInRoot, walkNoSymlinks } from './safe-path.js';
import { readTar, type EntryHeader, type TarEntry } from './tar-read.js';
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
}

export interface ApplyResult {
  diffId: Digest;
  /** Bytes of regular file content written into this layer. */
  size: number;
}

interface Context {
  dest: string;
  options: ApplyOptions;
  size: number;
  /** Directories whose times are set last: creating children changes a directory's mtime. */
  dirTimes: { path: string; meta: FileMeta }[];
  /** Relative paths this tar wrote, so a vfs opaque marker spares them. */
  written: Set<string>;
}

export async function applyTar(input: Readable, dest: string, options: ApplyOptions): Promise<ApplyResult> {
  const reader = await readTar(input);
  const ctx: Context = { dest, options, size: 0, dirTimes: [], written: new Set() };
  try {
    for await (const entry of reader.entries()) {
      await applyEntry(ctx, entry);
    }
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    reader.abort(error);
    // Refusals are EngineErrors already, and host failures (ENOSPC, EIO…) are not the tar's fault.
    if (isEngineError(error) || isSystemError(error)) throw error;
    throw invalid(`error extracting layer: ${error.message}`, error); // a malformed or truncated tar
  }
  for (const { path, meta } of ctx.dirTimes.reverse()) await lutimes(path, meta.atime ?? meta.mtime, meta.mtime);
  return { diffId: reader.diffId(), size: ctx.size };
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
    await drain(entry);
    return applyWhiteout(ctx, header, components);
  }
  const parent = await ensureParents(ctx, name, components.slice(0, -1));
  const target = join(parent, base);
  await clearForEntry(target, header.type === 'directory');
  await createEntry(ctx, entry, target);
  ctx.written.add(components.join('/'));
}

/** Splits an entry name into components inside the root, or refuses it. */
function entryComponents(name: string): string[] {
  try {
    return splitInRoot(name);
  } catch (err) {
    throw refuse(name, err instanceof PathError ? err.message : String(err));
  }
}

async function resolveDir(ctx: Context, name: string, components: string[], create: boolean): Promise<string | null> {
  try {
    return await walkNoSymlinks(ctx.dest, components, create);
  } catch (err) {
    if (err instanceof PathError) throw refuse(name, err.message);
    throw err;
  }
}

function refuse(name: string, why: string) {
  return invalid(`invalid tar entry ${JSON.stringify(name)}: ${why}`);
}

/** An existing directory stays (a dir entry only updates it); anything else is replaced. */
async function clearForEntry(target: string, isDir: boolean): Promise<void> {
  const existing = await lstatOrNull(target);
  if (existing === null || (isDir && existing.isDirectory())) return;
  await rm(target, { recursive: true, force: true });
}

async function createEntry(ctx: Context, entry: TarEntry, target: string): Promise<void> {
  const { header } = entry;
  const mode = (header.mode ?? 0o644) & 0o7777;
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      ctx.size += await writeFile(target, entry.body);
      break;
    case 'directory':
      await drain(entry);
      await mkdir(target, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await applyMeta(target, entryMeta(entry), { symlink: false, skipTimes: true });
      ctx.dirTimes.push({ path: target, meta: entryMeta(entry) });
      return;
    case 'symlink':
      await drain(entry);
      checkSymlinkTarget(header);
      await symlink(header.linkname ?? '', target);
      break;
    case 'link':
      await drain(entry);
      return createHardlink(ctx, header, target);
    case 'character-device':
    case 'block-device':
    case 'fifo':
      await drain(entry);
      mknod(target, nodeType(header.type) | mode, header.devmajor ?? 0, header.devminor ?? 0);
      break;
    default:
      throw refuse(header.name, `unsupported entry type ${String(header.type)}`);
  }
  await applyMeta(target, entryMeta(entry), { symlink: header.type === 'symlink' });
}

function nodeType(type: 'character-device' | 'block-device' | 'fifo'): number {
  return type === 'character-device' ? S_IFCHR : type === 'block-device' ? S_IFBLK : S_IFIFO;
}

/** Writes a regular file without following a link at `target`; returns its size. */
async function writeFile(target: string, body: AsyncIterable<Buffer>): Promise<number> {
  const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
  const file = await open(target, flags, 0o600);
  let size = 0;
  try {
    for await (const chunk of body) {
      await file.write(chunk);
      size += chunk.length;
    }
  } finally {
    await file.close();
  }
  return size;
}

/**
 * Refuses relative symlink targets that climb out of the root from where the
 * link sits, as Docker does. Absolute targets are fine: inside a container
 * they start at its root, and extraction never follows links anyway.
 */
function checkSymlinkTarget(header: EntryHeader): void {
  const linkname = header.linkname ?? '';
  if (linkname === '') throw refuse(header.name, 'symlink without a target');
  if (linkname.startsWith('/')) return;
  const from = splitInRoot(header.name).slice(0, -1);
  if (escapesRoot(from.length, linkname)) {
    throw refuse(header.name, `symlink target ${JSON.stringify(linkname)} escapes the layer root`);
  }
}

/** Whether `relative`, taken from a directory `depth` levels below the root, climbs above the root. */
function escapesRoot(depth: number, relative: string): boolean {
  for (const part of relative.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

async function createHardlink(ctx: Context, header: EntryHeader, target: string): Promise<void> {
  const name = header.name;
  const linkname = header.linkname ?? '';
  let targetComponents: string[];
  try {
    targetComponents = splitInRoot(linkname);
  } catch (err) {
    throw refuse(name, `hardlink target ${JSON.stringify(linkname)}: ${err instanceof PathError ? err.message : String(err)}`);
  }
  if (targetComponents.length === 0) throw refuse(name, 'hardlink to the layer root');
  const source = await findOrCopyUp(ctx, name, targetComponents);
  if (source === null) throw refuse(name, `hardlink target ${JSON.stringify(linkname)} not found`);
  await link(source, target);
  ctx.written.add(splitInRoot(name).join('/'));
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
  await copyFileWithMeta(lower.path, copy, lower.stat);
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
    const lower = await lookupInLayers(ctx.options.lowers ?? [], prefix);
    if (lower?.stat.isDirectory()) {
      const meta = metaOf(lower.stat, readXattrs(lower.path, (x) => x.startsWith(OVERLAY_XATTR_PREFIX)));
      await applyMeta(dir!, meta, { symlink: false, skipTimes: true });
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
  await rm(target, { recursive: true, force: true });
  if (overlay) {
    makeOverlayWhiteout(target);
    await applyMeta(target, { ...entryMeta({ header, xattrs: new Map() }), mode: 0 }, { symlink: false });
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
    if (!ctx.written.has(prefix + child)) await rm(join(dir, child), { recursive: true, force: true });
  }
}

function entryMeta(entry: Pick<TarEntry, 'header' | 'xattrs'>): FileMeta {
  const { header } = entry;
  const pax = header.pax ?? {};
  const mtime = pax.mtime ? new Date(parseFloat(pax.mtime) * 1000) : header.mtime ?? new Date(0);
  const atime = pax.atime ? new Date(parseFloat(pax.atime) * 1000) : mtime;
  const xattrs = new Map([...entry.xattrs].filter(([key]) => !key.startsWith(OVERLAY_XATTR_PREFIX)));
  return {
    uid: pax.uid ? parseInt(pax.uid, 10) : header.uid ?? 0,
    gid: pax.gid ? parseInt(pax.gid, 10) : header.gid ?? 0,
    mode: (header.mode ?? 0o644) & 0o7777,
    mtime,
    atime,
    xattrs,
  };
}

async function drain(entry: Pick<TarEntry, 'body'>): Promise<void> {
  for await (const _chunk of entry.body) {
    // discard
  }
}
