import { closeSync, existsSync, fstatSync, openSync, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { EngineError } from '../../lib/errors.js';
import type { ExitStatus } from './types.js';

/**
 * conmon's exit files: when the monitored process ends, conmon writes its exit
 * code (128+n for a signal) as text to <exit dir>/<cid>, atomically (temp file
 * + rename). Watching the directory works for any container, including ones
 * created by an earlier berthd, since nothing here depends on being conmon's parent.
 */

/**
 * The recorded exit, or null when there is none yet. Read on this thread: a few bytes and two stats of
 * files under the exec root, where the thread pool's three round trips (each a wait for a CPU on a loaded
 * host) were most of the time from conmon's write to the exit being handled, which a stop waits for.
 */
export async function readExitFile(path: string, oomFile?: string): Promise<ExitStatus | null> {
  let text: string;
  let mtime: Date;
  try {
    const fd = openSync(path, 'r');
    try {
      mtime = fstatSync(fd).mtime;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const exitCode = Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(exitCode)) return null;
  const oomKilled = oomFile ? existsSync(oomFile) : false;
  return { exitCode, exitedAt: mtime, oomKilled };
}

export interface WaitOptions {
  /** The oom marker file conmon writes when the cgroup's OOM killer fired. */
  oomFile?: string;
  /** Whether the monitoring conmon is still alive; if it dies without an exit file, waiting fails. */
  monitorAlive: () => Promise<boolean>;
  signal?: AbortSignal;
  /** How often to re-check conmon's liveness (and the file, should an event be missed). */
  pollMs?: number;
}

export function waitExitFile(path: string, o: WaitOptions): Promise<ExitStatus> {
  return new Promise((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let checking = false;
    let again = false;
    const watcher = watch(dirname(path), (_event, name) => {
      if (name === null || name === basename(path)) void check();
    });
    watcher.on('error', () => undefined);
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(o.signal?.reason ?? new DOMException('The operation was aborted', 'AbortError')));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const check = async (withLiveness = false): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        let status = await readExitFile(path, o.oomFile);
        if (!status && withLiveness && !(await o.monitorAlive())) {
          // conmon writes the file before exiting; look once more to close that race.
          status = await readExitFile(path, o.oomFile);
          if (!status) return finish(() => reject(new EngineError('internal', `conmon exited without recording an exit code (${path})`)));
        }
        if (status) return finish(() => resolve(status));
      } finally {
        checking = false;
      }
      if (again) {
        again = false;
        return check();
      }
    };
    const poll = () => {
      if (done) return;
      void check(true).finally(() => {
        if (!done) timer = setTimeout(poll, o.pollMs ?? 500);
      });
    };
    if (o.signal?.aborted) onAbort();
    else poll();
  });
}
