import { existsSync } from 'node:fs';
import { notImplemented } from '../../lib/errors.js';
import type { LogReadOptions } from '../runtime/types.js';
import type { ContainerContext } from './context.js';
import { logFiles, logLimits, logsReadable } from './logging.js';

export interface LogsOptions {
  follow: boolean;
  since?: Date;
  until?: Date;
  tail?: number;
  signal?: AbortSignal;
}

/** `docker logs`: a container's log entries across json-file's rotated files, followed while it runs. */
export class ContainerLogs {
  constructor(private readonly ctx: ContainerContext) {}

  async logs(idOrName: string, options: LogsOptions) {
    const c = this.ctx.deps.store.find(idOrName);
    if (!logsReadable(c.hostConfig)) throw notImplemented('configured logging driver does not support reading');
    const follow = options.follow && c.state.Running;
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    if (follow) {
      // Following ends when the container stops, as docker logs -f does.
      const { signals } = this.ctx;
      const stop = () => setTimeout(() => controller.abort(), 200);
      signals.once(`exit:${c.id}`, stop);
      controller.signal.addEventListener('abort', () => signals.off(`exit:${c.id}`, stop), { once: true });
    }
    const read = { follow, since: options.since, until: options.until, tail: options.tail, signal: controller.signal };
    const rotated = logFiles(c.logPath, logLimits(c.hostConfig).maxFile).slice(0, -1);
    return { tty: !!c.config.Tty, entries: this.readLogs(rotated, c.logPath, read) };
  }

  /**
   * The rotated files, oldest first (those that exist), then the current one, which alone is
   * followed. With --tail, the last lines may start in a rotated file: those before them are skipped.
   */
  private async *readLogs(rotated: string[], current: string, read: LogReadOptions) {
    const once = { ...read, follow: false, tail: undefined };
    let skip = 0;
    if (read.tail !== undefined) {
      const missing = read.tail - (await this.countLogEntries([current], once));
      if (missing <= 0) return yield* this.ctx.deps.runtime.readLog(current, read);
      skip = Math.max(0, (await this.countLogEntries(rotated, once)) - missing);
      read = { ...read, tail: undefined };
    }
    for await (const entry of this.readExisting(rotated, once)) {
      if (skip > 0) skip--;
      else yield entry;
    }
    yield* this.ctx.deps.runtime.readLog(current, read);
  }

  /** Entries of the files that exist (a rotated file may not yet, or no longer). */
  private async *readExisting(files: string[], read: LogReadOptions) {
    for (const file of files) {
      // Most containers never rotate: a stat on this thread is cheaper than a failing open through the thread pool.
      if (!existsSync(file)) continue;
      try {
        yield* this.ctx.deps.runtime.readLog(file, read);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private async countLogEntries(files: string[], read: LogReadOptions): Promise<number> {
    let count = 0;
    for await (const _ of this.readExisting(files, read)) count++;
    return count;
  }
}
