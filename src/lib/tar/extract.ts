import { closeSync, constants as fsc, lstatSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import { lstat, lutimes, open, rm, link } from 'node:fs/promises';
import { invalid, type EngineError } from '../errors.js';
import { PathError, splitInRoot } from '../safe-path.js';
import { applyMeta, applyMetaFd, type FileMeta, type Settled } from './file-meta.js';
import type { EntryHeader, TarEntry } from './read.js';
import { HoleWriter, SyncHoleWriter } from './hole-writer.js';
import { S_IFBLK, S_IFCHR, S_IFIFO, type TarSyscalls } from './syscalls.js';

/**
 * Building blocks for extracting an untrusted tar into a directory. Two
 * callers own their loops — layers (whiteouts, copy-up from lower layers,
 * never through a symlink) and docker cp (symlinks followed inside the
 * container's root) — because they find directories differently. What must
 * be the same for both lives here: names become components that cannot climb
 * out, files are created without following a link at their name, relative
 * symlinks may not point above the extraction root, hardlinks never target a
 * directory, and metadata is applied in the one order that keeps all of it.
 */

export interface Owner {
  uid: number;
  gid: number;
}

export interface CreateOptions {
  sys: Pick<TarSyscalls, 'mknod' | 'lsetxattr'>;
  /** Host path of an existing hardlink target (root-relative components), or null when there is none. */
  hardlinkSource(components: string[]): Promise<string | null>;
  /** xattrs from the tar to keep (e.g. never the storage driver's own trusted.overlay.*). */
  keepXattr(name: string): boolean;
  /** Owner for every entry instead of the tar's (docker cp --copy-uidgid). */
  owner?: Owner;
  /** The caller runs in a worker thread: large files are written with blocking calls too. */
  blocking?: boolean;
  /**
   * The target is new (nothing was there) in a directory without setgid: what it is created with.
   * Its owner is then `uid:gid` before any chown, and its mode what creation asks minus `umask`
   * (unknown: always chmod), so the calls that would set either to what it has are skipped.
   */
  creates?: Owner & { umask?: number };
}

export interface Created {
  /** Bytes of regular file content written. */
  bytes: number;
  /** Set for directories: their times are set last, as creating children changes them. */
  dirTimes?: DirTimes;
}

export interface DirTimes {
  path: string;
  meta: FileMeta;
}

export function refuseEntry(name: string, why: string): EngineError {
  return invalid(`invalid tar entry ${JSON.stringify(name)}: ${why}`);
}

/** Splits an entry name into components inside the extraction root, or refuses it. */
export function entryComponents(name: string): string[] {
  try {
    return splitInRoot(name);
  } catch (err) {
    throw refuseEntry(name, err instanceof PathError ? err.message : String(err));
  }
}

/** Where Docker's "cannot overwrite" messages point: the entry's path and the extraction directory, as the caller shows them. */
export interface NoOverwriteDirNonDir {
  shownPath: string;
  shownDest: string;
}

/**
 * Makes room for an entry: an existing directory stays when the entry is a
 * directory too (the entry only updates its metadata); anything else is
 * removed (then it returns true). With `noOverwrite` (docker cp's default) replacing a directory by a
 * non-directory, or the reverse, is an error instead, worded as Docker's.
 */
export async function clearForEntry(target: string, isDir: boolean, noOverwrite?: NoOverwriteDirNonDir): Promise<boolean> {
  // Synchronous: a microsecond syscall, done for every entry of a layer.
  const existing = lstatSync(target, { throwIfNoEntry: false }) ?? null;
  if (existing === null || (isDir && existing.isDirectory())) return false;
  if (noOverwrite && existing.isDirectory() !== isDir) {
    const [was, now] = existing.isDirectory() ? ['directory', 'non-directory'] : ['non-directory', 'directory'];
    throw invalid(`cannot overwrite ${was} ${JSON.stringify(noOverwrite.shownPath)} with ${now} ${JSON.stringify(noOverwrite.shownDest)}`);
  }
  await rm(target, { recursive: true, force: true });
  return true;
}

/** Creates one entry at `target`, whose parent directory exists and was reached without leaving the root. */
export async function createEntry(entry: TarEntry, target: string, options: CreateOptions): Promise<Created> {
  const { header } = entry;
  const meta = entryMeta(entry, options);
  const ownerSet = options.creates !== undefined && options.creates.uid === meta.uid && options.creates.gid === meta.gid;
  const createMode = modeAtCreation(meta.mode, options.creates?.umask);
  let bytes = 0;
  switch (header.type) {
    case 'file':
    case 'contiguous-file': {
      const size = header.size ?? 0;
      const file = { target, body: entry.body, meta, sys: options.sys, settled: { ownerSet, modeSet: createMode !== undefined }, mode: createMode ?? 0o600 };
      if (size <= SMALL_FILE) return { bytes: await writeSmallFile(file) };
      if (options.blocking) return { bytes: await writeLargeBlocking(file) };
      bytes = await writeLarge(target, entry.body);
      break;
    }
    case 'directory':
      await drain(entry);
      if (makeDirectory(target, createMode ?? 0o700)) await applyMeta(options.sys, target, meta, { symlink: false, skipTimes: true, ownerSet, modeSet: createMode !== undefined });
      else await applyMeta(options.sys, target, meta, { symlink: false, skipTimes: true });
      return { bytes: 0, dirTimes: { path: target, meta } };
    case 'symlink':
      await drain(entry);
      checkSymlinkTarget(header);
      symlinkSync(header.linkname ?? '', target); // synchronous as file creation is: microseconds, thousands of times
      break;
    case 'link':
      await drain(entry);
      await createHardlink(header, target, options);
      return { bytes: 0 }; // a hardlink shares its target's metadata
    case 'character-device':
    case 'block-device':
    case 'fifo':
      await drain(entry);
      options.sys.mknod(target, nodeType(header.type) | meta.mode, header.devmajor ?? 0, header.devminor ?? 0);
      break;
    default:
      throw refuseEntry(header.name, `unsupported entry type ${String(header.type)}`);
  }
  await applyMeta(options.sys, target, meta, { symlink: header.type === 'symlink', ownerSet: ownerSet && header.type === 'symlink' });
  return { bytes };
}

/** The mode to create an entry with so that no chmod is needed, if there is one: no special bits, none the umask takes away. */
function modeAtCreation(mode: number, umask: number | undefined): number | undefined {
  if (umask === undefined || (mode & 0o7000) !== 0 || (mode & umask) !== 0) return undefined;
  return mode;
}

/** Sets directory times after all entries are written, deepest first. */
export async function restoreDirTimes(dirs: readonly DirTimes[]): Promise<void> {
  for (const { path, meta } of [...dirs].reverse()) await lutimes(path, meta.atime ?? meta.mtime, meta.mtime);
}

/** Owner, mode, times and xattrs of an entry, PAX records winning over the ustar fields. */
export function entryMeta(entry: Pick<TarEntry, 'header' | 'xattrs'>, options: Pick<CreateOptions, 'keepXattr' | 'owner'>): FileMeta {
  const { header } = entry;
  const pax = header.pax ?? {};
  const mtime = pax.mtime ? new Date(parseFloat(pax.mtime) * 1000) : header.mtime ?? new Date(0);
  const atime = pax.atime ? new Date(parseFloat(pax.atime) * 1000) : mtime;
  const xattrs = new Map([...entry.xattrs].filter(([key]) => options.keepXattr(key)));
  return {
    uid: options.owner?.uid ?? (pax.uid ? parseInt(pax.uid, 10) : header.uid ?? 0),
    gid: options.owner?.gid ?? (pax.gid ? parseInt(pax.gid, 10) : header.gid ?? 0),
    mode: (header.mode ?? 0o644) & 0o7777,
    mtime,
    atime,
    xattrs,
  };
}

export async function drain(entry: Pick<TarEntry, 'body'>): Promise<void> {
  for await (const _chunk of entry.body) {
    // discard
  }
}

/** A directory at `target` (true: made now), or the one there already; synchronous as file creation is. */
function makeDirectory(target: string, mode: number): boolean {
  try {
    mkdirSync(target, { mode });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

function nodeType(type: 'character-device' | 'block-device' | 'fifo'): number {
  return type === 'character-device' ? S_IFCHR : type === 'block-device' ? S_IFBLK : S_IFIFO;
}

/** Files up to this size are collected and written with synchronous calls: most files of a root filesystem are small. */
const SMALL_FILE = 256 * 1024;
const CREATE_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;

/** A regular file to write, never following a link at `target` (O_NOFOLLOW, O_EXCL), and its metadata. */
interface NewFile {
  target: string;
  body: AsyncIterable<Buffer>;
  meta: FileMeta;
  sys: CreateOptions['sys'];
  /** Set by the creating call (see CreateOptions.creates). */
  settled: Settled;
  /** Mode to create it with. */
  mode: number;
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Writes a small file and its metadata with synchronous calls on one descriptor; returns its size. */
async function writeSmallFile(file: NewFile): Promise<number> {
  const data = await collect(file.body);
  const fd = openSync(file.target, CREATE_FLAGS, file.mode);
  try {
    if (data.length > 0) writeSync(fd, data);
    applyMetaFd(file.sys, fd, file.target, file.meta, file.settled);
  } finally {
    closeSync(fd);
  }
  return data.length;
}

async function writeLarge(target: string, body: AsyncIterable<Buffer>): Promise<number> {
  const file = await open(target, CREATE_FLAGS, 0o600);
  const writer = new HoleWriter(file);
  try {
    for await (const chunk of body) await writer.write(chunk);
    await writer.finish();
  } finally {
    await file.close();
  }
  return writer.size;
}

async function writeLargeBlocking(file: NewFile): Promise<number> {
  const fd = openSync(file.target, CREATE_FLAGS, file.mode);
  const writer = new SyncHoleWriter(fd);
  try {
    for await (const chunk of file.body) writer.write(chunk);
    writer.finish();
    applyMetaFd(file.sys, fd, file.target, file.meta, file.settled);
  } finally {
    closeSync(fd);
  }
  return writer.size;
}

/**
 * Refuses relative symlink targets that climb out of the extraction root from
 * where the link sits, as Docker does. Absolute targets are fine: inside a
 * container they start at its root, and extraction never writes through links.
 */
function checkSymlinkTarget(header: EntryHeader): void {
  const linkname = header.linkname ?? '';
  if (linkname === '') throw refuseEntry(header.name, 'symlink without a target');
  if (linkname.startsWith('/')) return;
  const from = splitInRoot(header.name).slice(0, -1);
  if (escapesRoot(from.length, linkname)) {
    throw refuseEntry(header.name, `symlink target ${JSON.stringify(linkname)} escapes the layer root`);
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

/** Hardlink targets are names inside the extraction root (a leading '/' too), found by the caller's policy. */
async function createHardlink(header: EntryHeader, target: string, options: CreateOptions): Promise<void> {
  const name = header.name;
  const linkname = header.linkname ?? '';
  let components: string[];
  try {
    components = splitInRoot(linkname);
  } catch (err) {
    throw refuseEntry(name, `hardlink target ${JSON.stringify(linkname)}: ${err instanceof PathError ? err.message : String(err)}`);
  }
  if (components.length === 0) throw refuseEntry(name, 'hardlink to the layer root');
  const source = await options.hardlinkSource(components);
  if (source === null) throw refuseEntry(name, `hardlink target ${JSON.stringify(linkname)} not found`);
  if ((await lstat(source)).isDirectory()) throw refuseEntry(name, 'hardlink to a directory');
  await link(source, target);
}
