import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './errors.js';

/**
 * The one place that turns an untrusted path (from a tarball, a build context,
 * an API call) into a host path inside a root directory. Two policies:
 *
 * - `resolveInRoot` follows symlinks the way the container would see them
 *   (absolute targets start at the root, `..` stops at the root), so the
 *   result is always inside the root. For docker cp, COPY/ADD, volume paths.
 * - `walkNoSymlinks` refuses any symlink on the way. For layer extraction: a
 *   tar has no business writing through a link, and refusing is simpler to
 *   trust than following.
 *
 * Both work component by component with lstat; neither ever hands a path that
 * contains a symlink to an operation that would follow it.
 */

/** Linux limits: a path component, and a whole path. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4096;
/** Symlinks followed in one resolution before giving up, as Linux's ELOOP (40). */
const MAX_SYMLINKS = 40;

export class PathError extends Error {
  constructor(
    message: string,
    readonly reason: 'escapes' | 'symlink' | 'notDir' | 'tooLong' | 'loop',
  ) {
    super(message);
    this.name = 'PathError';
  }
}

/**
 * Splits a slash-separated path into clean components relative to the root:
 * a leading '/' is dropped (as Docker does for tar entries), '' and '.' are
 * skipped, '..' removes the previous component. Throws a PathError('escapes')
 * when '..' would climb above the root, and 'tooLong' for names Linux refuses.
 */
export function splitInRoot(path: string): string[] {
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw new PathError('path is too long', 'tooLong');
  if (path.includes('\0')) throw new PathError('path contains a NUL byte', 'tooLong');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new PathError('path escapes the layer root', 'escapes');
      parts.pop();
      continue;
    }
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) throw new PathError('path component is too long', 'tooLong');
    parts.push(part);
  }
  return parts;
}

/**
 * Walks `components` from `root`, requiring each to be a real directory (never
 * a symlink). Missing directories are created (mode 0755) when `create` is set,
 * otherwise null is returned. Returns the host path of the last component.
 */
export async function walkNoSymlinks(root: string, components: readonly string[], create: boolean): Promise<string | null> {
  let current = root;
  for (const [index, name] of components.entries()) {
    current = join(current, name);
    const kind = await entryKind(current);
    const shown = components.slice(0, index + 1).join('/');
    if (kind === 'missing') {
      if (!create) return null;
      await mkdir(current, { mode: 0o755 });
    } else if (kind === 'symlink') {
      throw new PathError(`path goes through symlink "${shown}"`, 'symlink');
    } else if (kind !== 'dir') {
      throw new PathError(`"${shown}" is not a directory`, 'notDir');
    }
  }
  return current;
}

/**
 * Resolves `path` inside `root` as a process chrooted there would, following
 * symlinks (including, if `followFinal`, the last component). The returned
 * host path lies inside root; components after the first missing one are
 * appended unresolved.
 */
export async function resolveInRoot(root: string, path: string, options: { followFinal?: boolean } = {}): Promise<string> {
  return join(root, ...(await resolveComponents(path, (components) => join(root, ...components), options)));
}

/**
 * The general form of resolveInRoot: the clean components `path` names after
 * following symlinks in the scope of a root (absolute targets restart at the
 * root, '..' stops there). `hostPathOf` says where components live on the
 * host: one directory for a layer, or a container's root filesystem with its
 * volumes mounted at some components (each a separate host directory).
 */
export async function resolveComponents(
  path: string,
  hostPathOf: (components: readonly string[]) => string,
  options: { followFinal?: boolean } = {},
): Promise<string[]> {
  const resolved: string[] = [];
  let pending = splitRaw(path);
  let linksFollowed = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      resolved.pop(); // at the root, '..' is the root itself
      continue;
    }
    const candidate = hostPathOf([...resolved, name]);
    const isLast = pending.length === 0;
    if ((!isLast || options.followFinal) && (await entryKind(candidate)) === 'symlink') {
      if (++linksFollowed > MAX_SYMLINKS) throw new PathError(`too many levels of symbolic links in "${path}"`, 'loop');
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...splitRaw(target), ...pending];
      continue;
    }
    resolved.push(name);
  }
  return resolved;
}

/** Components of a path with '' and '.' dropped but '..' kept (resolveInRoot interprets them). */
function splitRaw(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

async function entryKind(path: string): Promise<'missing' | 'symlink' | 'dir' | 'other'> {
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'other';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'missing';
    throw err;
  }
}
