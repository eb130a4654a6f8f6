import { readFile } from 'node:fs/promises';

/**
 * Finding and stopping conmon monitors by their pid files. A pid file can
 * outlive its process and the pid be reused, so a pid only counts as our
 * monitor if /proc says it is a conmon whose command line names the container.
 */

export async function readPid(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export /** True when `pid` is a conmon monitoring container `id` (guards against pid reuse). */
async function isConmonFor(pid: number, id: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`).catch(() => null);
  if (!cmdline || cmdline.length === 0) return false;
  const argv = cmdline.toString('utf8').split('\0');
  return (argv[0] ?? '').endsWith('conmon') && argv.includes(id);
}

/**
 * conmon exits by itself once its process is gone; give it `ms`, then SIGKILL it.
 * It is usually gone within a few ms of writing the exit file, so look often at first.
 */
export async function stopMonitor(pidFile: string, id: string, ms = 1000): Promise<void> {
  const pid = await readPid(pidFile);
  if (!pid) return;
  for (let waited = 0, step = 1; waited < ms && (await isConmonFor(pid, id)); waited += step, step = Math.min(step * 2, 20)) await sleep(step);
  if (await isConmonFor(pid, id)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
