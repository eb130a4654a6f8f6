/**
 * A ~200 MB Debian root filesystem as a tar, for image benchmarks. debootstrap
 * takes half a minute and needs the network, so the tar is made once and kept
 * in CACHE_DIR; later runs reuse it.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { registerCleanup } from './cleanup.js';
import { removeTree, run } from './proc.js';

const CACHE_DIR = '/var/cache/berth-bench';
const SUITE = 'bookworm';
const TAR_PATH = join(CACHE_DIR, `debian-${SUITE}-minbase-rootfs.tar`);

/** Why the tar can't be made here, or undefined. */
export function debianUnavailable(): string | undefined {
  if (existsSync(TAR_PATH)) return undefined;
  return existsSync('/usr/sbin/debootstrap') ? undefined : 'debootstrap is not installed and no cached rootfs tar exists';
}

/** The path of the cached rootfs tar, making it first if needed. */
export async function debianRootfsTar(log: (m: string) => void): Promise<string> {
  if (existsSync(TAR_PATH)) return TAR_PATH;
  await mkdir(CACHE_DIR, { recursive: true });
  const work = await mkdtemp(join(CACHE_DIR, 'build-'));
  const unregister = registerCleanup(`debootstrap dir ${work}`, () => removeTree(work));
  try {
    const rootfs = join(work, 'rootfs');
    log(`debootstrap --variant=minbase ${SUITE} (once; cached as ${TAR_PATH})…`);
    await run('debootstrap', ['--variant=minbase', SUITE, rootfs]);
    const partial = join(work, 'rootfs.tar');
    // Sorted with numeric owners so the same rootfs always gives the same tar.
    await run('tar', ['--sort=name', '--numeric-owner', '--xattrs', '-C', rootfs, '-cf', partial, '.']);
    await rename(partial, TAR_PATH);
    return TAR_PATH;
  } finally {
    unregister();
    await removeTree(work);
  }
}
