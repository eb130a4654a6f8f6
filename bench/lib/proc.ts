import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { isAborting } from './cleanup.js';

/** Runs a command to completion; rejects with its stderr when it fails, or at once while aborting. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    if (isAborting()) {
      reject(new Error(`aborting: not running ${command}`));
      return;
    }
    const env = options.env ? { ...process.env, ...options.env } : process.env;
    execFile(command, args, { cwd: options.cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. Only for pids we started. */
export async function stopPid(pid: number, graceMs = 20_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** The pid in a pid file, or undefined. */
export async function readPidFile(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Unmounts everything mounted at or below `dir`, deepest first (daemons that
 * are killed, and debootstrap when it fails, leave overlay, shm, proc mounts).
 */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  const points = mounts
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((p): p is string => p !== undefined && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await run('umount', ['-l', point]).catch(() => undefined);
}

/** Unmounts and deletes a directory tree we made. */
export async function removeTree(dir: string): Promise<void> {
  await unmountUnder(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
