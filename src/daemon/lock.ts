import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, conflict } from '../lib/errors.js';

/**
 * One berthd per data root: a lock file holding the owner's pid, created
 * exclusively. A lock left by a process that is gone (a crash, kill -9) is
 * taken over; one held by a live berthd is refused.
 */
export async function lockDataRoot(dataRoot: string): Promise<() => Promise<void>> {
  const file = join(dataRoot, 'berthd.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        const owner = await readFile(file, 'utf8').catch(() => '');
        if (owner.trim() === String(process.pid)) await unlink(file).catch(() => undefined);
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && (await isBerthd(pid))) {
        throw conflict(`another berthd (pid ${pid}) is using the data root ${dataRoot}`);
      }
      await unlink(file).catch(() => undefined); // stale: its owner is gone
    }
  }
  throw conflict(`could not lock the data root ${dataRoot}`);
}

async function isBerthd(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('berthd');
}
