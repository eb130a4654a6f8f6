/**
 * Paths inside a container for the Files tab, and reading the archive API's
 * tar: the engine resolves paths inside the container's root itself, but the
 * dashboard checks them too, so nothing it sends or shows can climb out
 * (no "..", no NUL, absolute only), and entry names it lists are single
 * path components.
 */
import { posix } from 'node:path';
import { invalid } from '../../lib/errors.js';

const MAX_PATH = 4096;

/** A checked absolute path in the container, without a trailing slash (but "/" for the root). */
export function checkContainerPath(value: string | null): string {
  if (value === null || value === '') return '/';
  if (value.length > MAX_PATH) throw invalid('path too long');
  if (value.includes('\0')) throw invalid('path must not contain NUL');
  if (!value.startsWith('/')) throw invalid('path must be absolute');
  if (value.split('/').includes('..')) throw invalid('path must not contain ".."');
  const normal = posix.normalize(value);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : '/';
}

/** Go's os.FileMode type bits, as the archive API's path stat carries them. */
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 1 << 27;
/** Device, named pipe, socket, char device, irregular. */
const MODE_OTHER = (1 << 26) | (1 << 25) | (1 << 24) | (1 << 21) | (1 << 19);

export type EntryType = 'dir' | 'file' | 'link' | 'other';

export function typeOfMode(mode: number): EntryType {
  if (mode >= MODE_DIR) return 'dir';
  if ((mode & MODE_SYMLINK) !== 0) return 'link';
  return (mode & MODE_OTHER) !== 0 ? 'other' : 'file';
}

/** tar-stream's header types as the Files tab shows them. */
export function typeOfTarEntry(type: string | null | undefined): EntryType {
  if (type === 'directory') return 'dir';
  if (type === 'symlink' || type === 'link') return 'link';
  if (type === 'file' || type === 'contiguous-file' || !type) return 'file';
  return 'other';
}

/** A tar entry name without leading "./" or "/" (the root's archive names its entries "/bin/"…) or trailing slashes. */
export function tarName(entryName: string): string {
  return entryName.replace(/^(?:\.?\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

/**
 * Whether a tar entry name (the archive of directory D names it "D/child…",
 * relative to the directory's own name `base`) is one of D's direct children;
 * returns that child's name, or undefined.
 */
export function directChild(entryName: string, base: string): string | undefined {
  const name = tarName(entryName);
  const prefix = base === '' ? '' : `${base}/`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  if (rest === '' || rest.includes('/') || rest === '.' || rest === '..') return undefined;
  return rest;
}

/** A file name safe for Content-Disposition (the last component, quoted characters replaced). */
export function downloadName(path: string, tar: boolean): string {
  const last = posix.basename(path) || 'root';
  const safe = last.replace(/[^\w.-]/g, '_');
  return tar ? `${safe}.tar` : safe;
}
