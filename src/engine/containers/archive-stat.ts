import type { BigIntStats } from 'node:fs';
import type { ArchiveStat } from './types.js';

/**
 * The pieces of Docker's container path stat (X-Docker-Container-Path-Stat)
 * that are Go's rather than ours: os.FileMode bits, Go's path.Base, RFC 3339
 * times with nanoseconds, and docker cp's reading of trailing '/' and '/.'.
 */

/** Go's os.FileMode type bits (io/fs): the permission bits are the low 9, the rest sit at the top. */
export const GoMode = {
  dir: 2 ** 31,
  append: 2 ** 30,
  exclusive: 2 ** 29,
  temporary: 2 ** 28,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

/** A Unix st_mode as Go's os.Lstat reports it (os.fillFileStatFromSys), as the unsigned 32-bit number JSON carries. */
export function goFileMode(unixMode: number): number {
  let mode = unixMode & 0o777;
  switch (unixMode & S_IFMT) {
    case S_IFBLK:
      mode += GoMode.device;
      break;
    case S_IFCHR:
      mode += GoMode.device + GoMode.charDevice;
      break;
    case S_IFDIR:
      mode += GoMode.dir;
      break;
    case S_IFIFO:
      mode += GoMode.namedPipe;
      break;
    case S_IFLNK:
      mode += GoMode.symlink;
      break;
    case S_IFSOCK:
      mode += GoMode.socket;
      break;
    case S_IFREG:
      break;
  }
  if (unixMode & 0o2000) mode += GoMode.setgid;
  if (unixMode & 0o4000) mode += GoMode.setuid;
  if (unixMode & 0o1000) mode += GoMode.sticky;
  return mode; // built by addition: JavaScript's bitwise operators would make bit 31 negative
}

/** Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros dropped), in UTC. */
export function rfc3339Nano(seconds: bigint, nanoseconds: bigint): string {
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = nanoseconds === 0n ? '' : `.${nanoseconds.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${whole}${fraction}Z`;
}

/**
 * A path as docker cp means it: absolute in the container, cleaned, but
 * keeping a trailing '/' or '/.' (moby's PreserveTrailingDotOrSeparator),
 * since those ask for the directory behind a final symlink and, for '/.', for
 * its contents rather than the directory itself.
 */
export function containerPath(path: string): string {
  const cleaned = cleanAbsolute(path);
  if (goBase(path) === '.' && goBase(cleaned) !== '.') return cleaned === '/' ? '/.' : `${cleaned}/.`;
  if (path.endsWith('/') && !cleaned.endsWith('/')) return `${cleaned}/`;
  return cleaned;
}

/** Whether the last component is to be followed when it is a symlink: Linux does so for a trailing '/' (and '/.'). */
export function followsFinal(path: string): boolean {
  return path.endsWith('/') || path.endsWith('/.');
}

/** Go's filepath.Base: the last element, trailing slashes removed; '/' for the root, '.' for ''. */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function pathStat(name: string, st: BigIntStats, linkTarget: string): ArchiveStat {
  return {
    name,
    size: Number(st.size),
    mode: goFileMode(Number(st.mode)),
    mtime: rfc3339Nano(st.mtimeNs / 1_000_000_000n, st.mtimeNs % 1_000_000_000n),
    linkTarget,
  };
}

/** Go's path.Join("/", path): absolute, '.' and '..' and repeated slashes resolved lexically. */
function cleanAbsolute(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
