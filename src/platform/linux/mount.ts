import { readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { errnoCode } from '../../lib/errors.js';
import { MNT_DETACH, MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT, mount, umount2, umount2Async } from './sys.js';

/** The kernel copies mount data into a single page: longer option strings fail with EINVAL. */
export const MAX_MOUNT_DATA = 4095;

export interface OverlayLayers {
  /** Lower directories, topmost first. Relative paths are resolved from `cwd`. */
  lower: string[];
  /** Omit upper and work for a read-only overlay (then at least two lowers are needed). */
  upper?: string;
  work?: string;
}

/**
 * Mounts an overlay at `target`. Pass `cwd` to use short relative lowerdir
 * paths (Docker's l/XXXX links), which keeps a deep layer stack under the page
 * limit; the addon does the mount from a thread whose cwd is `cwd`.
 */
export function mountOverlay(target: string, layers: OverlayLayers, cwd?: string): void {
  const data = overlayMountData(layers);
  mount('overlay', target, 'overlay', 0, data, cwd ?? null);
}

export function overlayMountData({ lower, upper, work }: OverlayLayers): string {
  if (lower.length === 0) throw new Error('overlay needs at least one lower directory');
  if ((upper === undefined) !== (work === undefined)) throw new Error('overlay upper and work directories go together');
  for (const dir of [...lower, upper ?? '', work ?? '']) {
    // ':' separates lowers and ',' separates options; overlay's escaping of them is not portable.
    if (/[,:\\]/.test(dir)) throw new Error(`overlay directory ${JSON.stringify(dir)} contains ',', ':' or '\\'`);
  }
  let data = `lowerdir=${lower.join(':')}`;
  if (upper !== undefined) data += `,upperdir=${upper},workdir=${work}`;
  if (data.length > MAX_MOUNT_DATA) {
    throw new Error(`overlay mount options are ${data.length} bytes, over the ${MAX_MOUNT_DATA}-byte limit (${lower.length} lower layers)`);
  }
  return data;
}

/** Bind-mounts `source` on `target` (recursively), optionally read-only. */
export function bindMount(source: string, target: string, options: { readonly?: boolean } = {}): void {
  mount(source, target, null, MS_BIND | MS_REC, null);
  // MS_RDONLY is ignored on the initial bind: it takes a remount.
  if (options.readonly) mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
}

/**
 * Unmounts `target`; a busy mount is detached instead (lazily freed once its
 * last user goes). Returns false if nothing was mounted there: the kernel
 * says so (EINVAL: not a mount point; ENOENT), so the mount table is not read.
 */
export function unmount(target: string): boolean {
  try {
    umount2(target, 0);
  } catch (err) {
    if (notMounted(err)) return false;
    if (errnoCode(err) !== 'EBUSY') throw err;
    umount2(target, MNT_DETACH);
  }
  return true;
}

/** unmount, with the unmount itself off the main thread (an overlay's syncs its upper filesystem first). */
export async function unmountAsync(target: string): Promise<boolean> {
  try {
    await umount2Async(target, 0);
  } catch (err) {
    if (notMounted(err)) return false;
    if (errnoCode(err) !== 'EBUSY') throw err;
    await umount2Async(target, MNT_DETACH);
  }
  return true;
}

function notMounted(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EINVAL' || code === 'ENOENT' || code === 'ENOTDIR';
}

/** Whether some mount has `path` as its mount point (per /proc/self/mountinfo). */
export function isMountPoint(path: string): boolean {
  let canonical: string;
  try {
    canonical = realpathSync(resolve(path));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  return mountPoints().has(canonical);
}

/** Every mount point in this mount namespace. */
export function mountPoints(): Set<string> {
  const points = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4]; // "36 35 98:0 /mnt1 /mnt2 ..." → mount point is the 5th field
    if (field) points.add(unescapeMountinfo(field));
  }
  return points;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
