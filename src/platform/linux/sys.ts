import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { constants as osConstants } from 'node:os';
import { errnoCode } from '../../lib/errors.js';

/**
 * Typed access to the berth_sys native addon (native/berth_sys.c): the Linux
 * syscalls Node lacks. Failures throw Node-style system errors (.code is the
 * errno name, plus .errno, .syscall, .path).
 *
 * The addon is loaded lazily, on the first call, so that code which merely
 * imports this module (the CLI, tests of unrelated parts) does not need it built.
 * Location: $BERTH_NATIVE if set, else native/build/Release/berth_sys.node
 * under the project root (this file runs from dist/src/platform/linux/).
 */

interface Addon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null, cwd: string | null): void;
  umount2(target: string, flags: number): void;
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer, flags: number): void;
  lgetxattr(path: string, name: string): Buffer;
  llistxattr(path: string): string[];
  lremovexattr(path: string, name: string): void;
  statfs(path: string): StatFs;
  netnsSocket(netns: string, type: 'udp' | 'tcp', address: string): NetnsSocket;
  pipe(): [number, number];
  seqpacketConnect(path: string): number;
  dup(fd: number): number;
  seekData(fd: number, offset: number, hole: boolean): number;
  addInodeFlags(path: string, flags: number): number;
  packetReader(fd: number, cb: (packets: Buffer[], status: number) => void): PacketReader;
  packetReaderStart(reader: PacketReader): void;
  packetReaderStop(reader: PacketReader): void;
  packetReaderClose(reader: PacketReader): void;
  spliceRelay(clientFd: number, upstreamFd: number, done: (status: number) => void): void;
  spawn(file: string, argv: string[], envp: string[], cwd: string | null, stdio: number[], setsid: boolean, done: SpawnDone, netns: string | null): number[];
  umount2Async(target: string, flags: number, done: (errno: number) => void): void;
  sealedCopy(path: string): number;
  unixListen(path: string, backlog: number): number;
  recvFds(fd: number, length: number, timeoutMs: number): ReceivedWithFds;
  dup2(oldFd: number, newFd: number): void;
  peerCred(fd: number): PeerCred;
}

/** Bytes read from a unix socket with the descriptors passed beside them (close-on-exec). */
export interface ReceivedWithFds {
  data: Buffer;
  fds: number[];
}

/** A unix socket peer's credentials (SO_PEERCRED). */
export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

/** How a spawned process ended: errno is non-zero when it could not be started; exitCode is -1 when `signal` ended it. */
export type SpawnDone = (errno: number, pid: number, exitCode: number, signal: number) => void;

/** A socket made inside another network namespace, bound to a port the kernel chose. */
export interface NetnsSocket {
  fd: number;
  port: number;
}

/** The addon's reader of a SOCK_SEQPACKET fd (an opaque handle). */
export type PacketReader = { readonly __packetReader: unique symbol };

export interface StatFs {
  /** f_type: the filesystem's magic number (see filesystemName). */
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

// Mount flags (linux/mount.h).
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_NOATIME = 0x400;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
// umount2 flags.
export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;
// File type bits for mknod's mode.
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
// setxattr flags.
export const XATTR_CREATE = 0x1;
export const XATTR_REPLACE = 0x2;

let addon: Addon | undefined;

export function nativeAddonPath(): string {
  const override = process.env.BERTH_NATIVE;
  if (override) return resolve(override);
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '../../../../native/build/Release/berth_sys.node');
}

function load(): Addon {
  if (addon) return addon;
  const path = nativeAddonPath();
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (err) {
    throw new Error(`cannot load the berth_sys native addon from ${path} (build it with node-gyp, see native/binding.gyp)`, {
      cause: err,
    });
  }
  return addon;
}

/** mount(2). `cwd`, if given, is the directory relative paths in `data` are resolved from (the addon does the
 * mount on a thread with its own cwd, so Node's cwd never changes). */
export function mount(
  source: string | null,
  target: string,
  fstype: string | null,
  flags: number,
  data: string | null = null,
  cwd: string | null = null,
): void {
  load().mount(source, target, fstype, flags, data, cwd);
}

export function umount2(target: string, flags = 0): void {
  load().umount2(target, flags);
}

/** umount2(2) on a thread of the addon's: an overlay's unmount syncs its upper filesystem, too slow for the main thread. */
export function umount2Async(target: string, flags = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    load().umount2Async(target, flags, (errno) => (errno === 0 ? resolve() : reject(systemError(errno, 'umount2', target))));
  });
}

/**
 * vfork + exec on a thread of the addon's, which then waits for the child
 * (see native/berth_sys.c for why not child_process). `stdio[i]` is the
 * child's fd i: SPAWN_IGNORE (/dev/null), SPAWN_PIPE (a socketpair: our end
 * is returned at index i, the caller owns it) or an fd of ours, inherited
 * (we keep it). With `netns` (a namespace's path) the child runs in that
 * network namespace. Returns our ends (-1 where none).
 */
export function spawnRaw(file: string, argv: string[], envp: string[], cwd: string | null, stdio: number[], setsid: boolean, done: SpawnDone, netns: string | null = null): number[] {
  return load().spawn(file, argv, envp, cwd, stdio, setsid, done, netns);
}

export const SPAWN_IGNORE = -1;
export const SPAWN_PIPE = -2;

/** An Error shaped like Node's system errors, from a positive errno. */
export function systemError(errno: number, syscall: string, path?: string): NodeJS.ErrnoException {
  const code = errnoName(errno);
  const err: NodeJS.ErrnoException = new Error(`${code}: ${syscall}${path === undefined ? '' : ` '${path}'`}`);
  Object.assign(err, { code, errno: -errno, syscall, ...(path === undefined ? {} : { path }) });
  return err;
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(osConstants.errno)) if (value === errno) return name;
  return `E${errno}`;
}

/** mknod(2); `mode` includes the type (S_IFCHR, S_IFBLK, S_IFIFO) and permission bits. */
export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  load().mknod(path, mode, major, minor);
}

/** pipe2(2) with O_CLOEXEC: [read end, write end], each its own open file description. The caller closes both. */
export function pipe(): [number, number] {
  return load().pipe();
}

/** A connected, non-blocking, close-on-exec SOCK_SEQPACKET unix socket (what conmon's attach socket speaks). The caller owns the fd. */
export function seqpacketConnect(path: string): number {
  return load().seqpacketConnect(path);
}

/** A close-on-exec duplicate of `fd` (the same open file or socket). */
export function dup(fd: number): number {
  return load().dup(fd);
}

/** Loads the addon now rather than on the first call (a process that must answer fast later, the CLI pool's workers). */
export function preloadNativeAddon(): void {
  load();
}

/** A listening SOCK_STREAM unix socket at `path` that no Node server accepts on: a close-on-exec fd. */
export function unixListen(path: string, backlog: number): number {
  return load().unixListen(path, backlog);
}

/** Exactly `length` bytes from unix socket `fd`, and any descriptors passed with them (SCM_RIGHTS); ETIMEDOUT, EPIPE at EOF. */
export function recvFds(fd: number, length: number, timeoutMs: number): ReceivedWithFds {
  return load().recvFds(fd, length, timeoutMs);
}

/** dup2(2): puts `oldFd` on `newFd` (stdio included), closing what was there. */
export function dup2(oldFd: number, newFd: number): void {
  load().dup2(oldFd, newFd);
}

/** Who is at the other end of unix socket `fd` (SO_PEERCRED). */
export function peerCred(fd: number): PeerCred {
  return load().peerCred(fd);
}

/** A copy of the file at `path` in a memfd sealed against any change: a close-on-exec fd (see native/berth_sys.c). */
export function sealedCopy(path: string): number {
  return load().sealedCopy(path);
}

/** lseek(2) with SEEK_DATA: where data starts at or after `offset`; -1 when only a hole (or the end) follows. */
/** FS_TOPDIR_FL (linux/fs.h): "top of directory hierarchies" for ext2/3/4's Orlov allocator. */
export const FS_TOPDIR_FL = 0x00020000;

/** Adds inode flags (FS_*_FL) to a file or directory, not following a symlink; returns the flags it now has. */
export function addInodeFlags(path: string, flags: number): number {
  return load().addInodeFlags(path, flags);
}

export function seekData(fd: number, offset: number): number {
  return load().seekData(fd, offset, false);
}

/** lseek(2) with SEEK_HOLE: where the hole at or after `offset` starts (the file's size when none before it). */
export function seekHole(fd: number, offset: number): number {
  return load().seekData(fd, offset, true);
}

/**
 * Reads a SOCK_SEQPACKET fd packet by packet, all of them up to EOF (libuv's
 * stream reading loses the last ones, see native/berth_sys.c). It owns `fd`.
 * `onPackets` gets each readiness's packets and a status: 0, 1 at EOF, or -errno.
 * Nothing is read until start(); stop() pauses; close() ends it and closes the fd.
 */
export function packetReader(fd: number, onPackets: (packets: Buffer[], status: number) => void): {
  start(): void;
  stop(): void;
  close(): void;
} {
  const a = load();
  const reader = a.packetReader(fd, onPackets);
  return { start: () => a.packetReaderStart(reader), stop: () => a.packetReaderStop(reader), close: () => a.packetReaderClose(reader) };
}

/**
 * Joins two connected TCP sockets both ways with splice(2), on a thread of
 * the addon's: bytes go socket → pipe → socket inside the kernel, as with
 * docker-proxy. The addon works on duplicates of the fds, so the caller
 * destroys its sockets right after this returns (they must not be reading
 * and have nothing queued to write). EOF on one side shuts down the other's
 * sending side; when both directions are done, or at the first error, the
 * addon closes everything and calls `done` with 0 or -errno. Throws (and
 * takes nothing over) when the relay cannot be set up.
 */
export function spliceRelay(clientFd: number, upstreamFd: number, done: (status: number) => void): void {
  load().spliceRelay(clientFd, upstreamFd, done);
}

export function lsetxattr(path: string, name: string, value: Buffer, flags = 0): void {
  load().lsetxattr(path, name, value, flags);
}

/** The attribute's value, or null when the file has no such attribute. */
export function lgetxattr(path: string, name: string): Buffer | null {
  try {
    return load().lgetxattr(path, name);
  } catch (err) {
    if (errnoCode(err) === 'ENODATA') return null;
    throw err;
  }
}

/** Attribute names of a file (not following symlinks); [] where xattrs are unsupported. */
export function llistxattr(path: string): string[] {
  try {
    return load().llistxattr(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOTSUP') return [];
    throw err;
  }
}

export function lremovexattr(path: string, name: string): void {
  load().lremovexattr(path, name);
}

export function statfs(path: string): StatFs {
  return load().statfs(path);
}

/**
 * A UDP or TCP (not yet listening) IPv4 socket created inside the network
 * namespace at `netnsPath` and bound to `address` on a free port. Node's own
 * threads never leave their namespace; the caller owns the fd (dgram
 * `bind({ fd })`, net `listen({ fd })` adopt it and close it).
 */
export function netnsSocket(netnsPath: string, type: 'udp' | 'tcp', address: string): NetnsSocket {
  return load().netnsSocket(netnsPath, type, address);
}

/** Filesystem magic numbers (linux/magic.h) → the names Docker prints as "Backing Filesystem". */
const FS_NAMES: ReadonlyMap<number, string> = new Map([
  [0xef53, 'extfs'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlayfs'],
  [0x2fc12fc1, 'zfs'],
  [0x6969, 'nfs'],
  [0xf2f52010, 'f2fs'],
  [0x65735546, 'fuse'],
  [0x858458f6, 'ramfs'],
  [0x73717368, 'squashfs'],
  [0x4d44, 'msdos'],
  [0x5346544e, 'ntfs'],
  [0x61756673, 'aufs'],
  [0xca451a4e, 'bcachefs'],
]);

/** The backing filesystem of `path` as Docker names it ('extfs', 'xfs', 'tmpfs', 'overlayfs', …). */
export function filesystemName(path: string): string {
  const type = statfs(path).type;
  return FS_NAMES.get(type) ?? `<unknown 0x${type.toString(16)}>`;
}
