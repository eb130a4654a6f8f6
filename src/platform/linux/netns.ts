import { readdir, unlink } from 'node:fs/promises';
import { errnoCode } from '../../lib/errors.js';
import { ipBatch, ipCmd, runTool } from './ip.js';
import { MNT_DETACH, umount2 } from './sys.js';

/**
 * Named network namespaces, as `ip netns` keeps them: a bind mount of the
 * namespace at /run/netns/<name>, so a namespace outlives every process in it
 * (and berthd) until it is deleted.
 */
export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

export async function createNetns(name: string): Promise<string> {
  await ipBatch([ipCmd.netnsAdd(name)]);
  await ipBatch(['link set lo up'], name);
  return netnsPath(name);
}

/**
 * Deletes a named netns; a missing one is not an error (cleanup is idempotent).
 * What `ip netns del` does (lazy unmount of the bind mount, then unlink),
 * without spawning it: this is on every container's stop path.
 */
export async function deleteNetns(name: string): Promise<void> {
  const path = netnsPath(name);
  try {
    umount2(path, MNT_DETACH);
  } catch (err) {
    // EINVAL: not mounted (a half-made one); ENOENT: not there at all.
    if (errnoCode(err) !== 'EINVAL' && errnoCode(err) !== 'ENOENT') throw err;
  }
  await unlink(path).catch((err) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
}

/** Names under /run/netns starting with `prefix`. */
export async function listNetns(prefix = ''): Promise<string[]> {
  try {
    return (await readdir(NETNS_DIR)).filter((n) => n.startsWith(prefix));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/** Runs a command inside a named netns (`ip netns exec`), for tests and diagnostics. */
export function execInNetns(name: string, argv: string[], input?: string): Promise<string> {
  return runTool('ip', ['netns', 'exec', name, ...argv], input);
}
