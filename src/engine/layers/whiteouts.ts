import type { Stats } from 'node:fs';
import { lgetxattr, lsetxattr, mknod, S_IFCHR } from '../../platform/linux/sys.js';

/**
 * The two spellings of "deleted in this layer":
 * - in a layer tar (OCI/AUFS style): an empty file `.wh.<name>`, and `.wh..wh..opq`
 *   inside a directory meaning "hide everything below from lower layers";
 * - on disk for overlayfs: a 0/0 character device `<name>`, and the xattr
 *   trusted.overlay.opaque=y on the directory.
 */
export const WHITEOUT_PREFIX = '.wh.';
/** Prefix of AUFS metadata names (.wh..wh.plnk, .wh..wh.aufs), which carry no file. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';
export const OPAQUE_XATTR = 'trusted.overlay.opaque';
/** xattrs overlayfs interprets itself; a layer tar must not be able to set them. */
export const OVERLAY_XATTR_PREFIX = 'trusted.overlay.';

export function isOverlayWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

export function makeOverlayWhiteout(path: string): void {
  mknod(path, S_IFCHR | 0o000, 0, 0);
}

export function isOpaqueDir(path: string): boolean {
  const value = lgetxattr(path, OPAQUE_XATTR);
  return value !== null && value.toString() === 'y';
}

export function markOpaque(path: string): void {
  lsetxattr(path, OPAQUE_XATTR, Buffer.from('y'));
}
