import { chmodSync, fchmodSync, fchownSync, futimesSync, lchownSync, lutimesSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { errnoCode } from '../errors.js';
import type { TarSyscalls } from './syscalls.js';

type XattrCalls = Pick<TarSyscalls, 'lgetxattr' | 'llistxattr' | 'lsetxattr'>;

/** Ownership, permissions, extended attributes and times of one file. */
export interface FileMeta {
  uid: number;
  gid: number;
  /** Permission bits including setuid/setgid/sticky (0o7777). */
  mode: number;
  mtime: Date;
  atime?: Date;
  xattrs?: ReadonlyMap<string, Buffer>;
}

/**
 * What the creating call already gave a new file, so that the call setting it is skipped: its owner
 * (the creator's, when that is the one wanted), its mode (asked for at creation, the umask leaving it whole).
 */
export interface Settled {
  ownerSet?: boolean;
  modeSet?: boolean;
}

/**
 * Applies metadata in the only order that keeps all of it: chown first (it
 * clears setuid/setgid and security.capability), then chmod, then xattrs,
 * then times (any earlier change would bump them). Symlinks have no mode of
 * their own. `skipTimes` lets directories get their times after their children.
 * The calls are synchronous on purpose: each takes microseconds, while an
 * async call's round trip through the thread pool took most of the time of
 * extracting a layer of ten thousand files.
 */
export async function applyMeta(
  sys: Pick<TarSyscalls, 'lsetxattr'>,
  path: string,
  meta: FileMeta,
  kind: { symlink: boolean; skipTimes?: boolean } & Settled,
): Promise<void> {
  if (!kind.ownerSet) lchownSync(path, meta.uid, meta.gid);
  if (!kind.symlink && !kind.modeSet) chmodSync(path, meta.mode & 0o7777);
  for (const [name, value] of meta.xattrs ?? []) setXattrTolerant(sys, path, name, value);
  if (!kind.skipTimes) lutimesSync(path, meta.atime ?? meta.mtime, meta.mtime);
}

/**
 * applyMeta for a regular file just written through `fd`: the same calls in
 * the same order, but on the descriptor, so the kernel does not walk the
 * path again for each (a layer's files are deep; the walks were a good part
 * of extraction's system time). xattrs still go by path: Node has no fsetxattr.
 */
export function applyMetaFd(sys: Pick<TarSyscalls, 'lsetxattr'>, fd: number, path: string, meta: FileMeta, settled: Settled = {}): void {
  if (!settled.ownerSet) fchownSync(fd, meta.uid, meta.gid);
  if (!settled.modeSet) fchmodSync(fd, meta.mode & 0o7777);
  for (const [name, value] of meta.xattrs ?? []) setXattrTolerant(sys, path, name, value);
  futimesSync(fd, meta.atime ?? meta.mtime, meta.mtime);
}

/**
 * Sets an xattr, ignoring the refusals Docker ignores too: a filesystem without
 * xattr support (ENOTSUP) or a namespace not allowed on this file type (EPERM,
 * e.g. user.* on a symlink).
 */
function setXattrTolerant(sys: Pick<TarSyscalls, 'lsetxattr'>, path: string, name: string, value: Buffer): void {
  try {
    sys.lsetxattr(path, name, value);
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOTSUP' && code !== 'EPERM') throw err;
  }
}

export function readXattrs(
  sys: Pick<TarSyscalls, 'lgetxattr' | 'llistxattr'>,
  path: string,
  skip: (name: string) => boolean = () => false,
): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>();
  for (const name of sys.llistxattr(path).sort()) {
    if (skip(name)) continue;
    const value = sys.lgetxattr(path, name);
    if (value !== null) xattrs.set(name, value);
  }
  return xattrs;
}

export function metaOf(st: Stats, xattrs?: ReadonlyMap<string, Buffer>): FileMeta {
  return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, mtime: st.mtime, atime: st.atime, xattrs };
}

/** Copies a regular file with its content and all metadata (overlay "copy up"). */
export async function copyFileWithMeta(sys: XattrCalls, source: string, target: string, st: Stats): Promise<void> {
  await copyFile(source, target);
  await applyMeta(sys, target, metaOf(st, readXattrs(sys, source)), { symlink: false });
}
