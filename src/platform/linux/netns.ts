import { readdir } from 'node:fs/promises';
import { errnoCode } from '../../lib/errors.js';
import { ipBatch, ipCmd, runTool } from './ip.js';

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

/** Deletes a named netns; a missing one is not an error (cleanup is idempotent). */
export async function deleteNetns(name: string): Promise<void> {
  await runTool('ip', ['netns', 'del', name]).catch((err: Error) => {
    if (!/No such file|not exist/i.test(err.message)) throw err;
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
