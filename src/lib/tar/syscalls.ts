/**
 * The Linux calls Node lacks that tar extraction and export need: device
 * nodes and extended attributes. src/platform/linux/sys.ts implements them
 * with the native addon; callers pass that module (`import * as sys`) in.
 *
 * Passed as a parameter rather than imported because lib imports nothing of
 * ours (the tar code is shared by layers, containers and the builder, and must
 * not pull the platform layer under lib), and because a parameter lets tests
 * of pure tar logic run without the addon.
 */
export interface TarSyscalls {
  /** mknod(2); `mode` includes the type bits (S_IFCHR, S_IFBLK, S_IFIFO). */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** The attribute's value, or null when the file has none (does not follow symlinks). */
  lgetxattr(path: string, name: string): Buffer | null;
  /** Attribute names (does not follow symlinks); [] where xattrs are unsupported. */
  llistxattr(path: string): string[];
  lsetxattr(path: string, name: string, value: Buffer): void;
}

/** File type bits for mknod's mode (linux/stat.h). */
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
