import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { LogEntry, LogReadOptions } from './types.js';

/**
 * Reader for conmon's k8s-file log format, one record per line:
 *
 *   2024-05-01T10:00:00.123456789+00:00 stdout F hello
 *   <RFC3339Nano time>                  <stream> <F full | P partial> <text>
 *
 * conmon ends a record at every newline of the output ("F"), or when its
 * buffer fills without one ("P": the next record continues the line).
 * Bytes are kept as bytes: the container's output need not be UTF-8.
 */

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;
const POLL_MS = 250;

export function parseLogLine(line: Buffer): LogEntry | null {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  const s3 = s2 < 0 ? -1 : line.indexOf(0x20, s2 + 1);
  if (s3 < 0) return null;
  const timestamp = line.subarray(0, s1).toString('latin1');
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  const tag = line.subarray(s2 + 1, s3).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  const time = new Date(timestamp);
  if (Number.isNaN(time.getTime())) return null;
  return { stream, time, timestamp, line: Buffer.from(line.subarray(s3 + 1)), partial: tag.startsWith('P') };
}

export async function* readLog(path: string, opts: LogReadOptions = {}): AsyncGenerator<LogEntry> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    // A container that never ran has no log yet: nothing to read (attach with logs=1 before start, docker logs).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !opts.follow) return;
    throw err;
  }
  try {
    // Only following needs the inode (to notice conmon replacing the file): a one-off read skips the stat.
    let ino = opts.follow ? (await fh.stat()).ino : 0;
    let pos = opts.tail !== undefined ? await tailOffset(fh, opts.tail) : 0;
    let pending: Buffer = Buffer.alloc(0);
    const waiter = opts.follow ? new ChangeWaiter(path, opts.signal) : null;
    /** Reads from pos to the end of the open file, yielding complete records; false once `until` is passed. */
    async function* drain(): AsyncGenerator<LogEntry, boolean> {
      for (;;) {
        const { data, bytesRead } = await readFrom(fh, pos);
        if (bytesRead === 0) return true;
        pos += bytesRead;
        pending = pending.length ? Buffer.concat([pending, data]) : data;
        let start = 0;
        for (let nl = pending.indexOf(NEWLINE); nl >= 0; nl = pending.indexOf(NEWLINE, start)) {
          const entry = parseLogLine(pending.subarray(start, nl));
          start = nl + 1;
          if (!entry) continue;
          if (opts.until && entry.time >= opts.until) return false;
          if (opts.since && entry.time < opts.since) continue;
          yield entry;
        }
        pending = Buffer.from(pending.subarray(start));
        // A short read is the end of the file as it is now: a one-off read needs no second read to see that.
        if (bytesRead < CHUNK && !waiter) return true;
      }
    }
    try {
      for (;;) {
        if (!(yield* drain())) return;
        if (!waiter || opts.signal?.aborted) return;
        if (opts.until && Date.now() >= opts.until.getTime()) return;
        // conmon replaces the file when it passes --log-size-max (it writes the old one out first).
        // Checked before waiting, so that a rotation is followed at once and no whole file slips by.
        const now = await stat(path).catch(() => null);
        if (!now) return;
        if (now.ino !== ino || now.size < pos) {
          // What conmon wrote to the old file before renaming is there now: finish it, then move on.
          if (now.ino !== ino && !(yield* drain())) return;
          await fh.close();
          fh = await open(path, 'r');
          ino = now.ino;
          pos = 0;
          pending = Buffer.alloc(0);
          waiter.rewatch();
          continue;
        }
        if ((await waiter.next()) === 'stop') return;
      }
    } finally {
      waiter?.close();
    }
  } finally {
    // Not awaited: the reader's answer need not wait a round trip through the thread pool for the close.
    fh.close().catch(() => undefined);
  }
}

async function readFrom(fh: FileHandle, pos: number): Promise<{ data: Buffer; bytesRead: number }> {
  const buf = Buffer.allocUnsafe(CHUNK);
  const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
  return { data: buf.subarray(0, bytesRead), bytesRead };
}

/** Offset of the start of the last `n` complete lines, scanning backwards from the end. */
async function tailOffset(fh: FileHandle, n: number): Promise<number> {
  const size = (await fh.stat()).size;
  if (n <= 0) return size;
  let end = size;
  // A final line without its newline yet is not a record; skip to the last newline.
  let newlines = 0;
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const buf = Buffer.allocUnsafe(end - start);
    await fh.read(buf, 0, buf.length, start);
    for (let i = buf.length - 1; i >= 0; i--) {
      if (buf[i] !== NEWLINE) continue;
      if (first && start + i === size - 1) {
        first = false;
        continue;
      }
      first = false;
      newlines++;
      if (newlines === n) return start + i + 1;
    }
    first = false;
    end = start;
  }
  return 0;
}

/** Resolves next() when the file may have changed (inotify, with a poll as a safety net) or 'stop' when aborted. */
class ChangeWaiter {
  private watcher: FSWatcher | null = null;
  private wake: ((v: 'change' | 'stop') => void) | null = null;
  private dirty = false;
  private readonly onAbort = () => this.fire('stop');

  constructor(private readonly path: string, private readonly signal?: AbortSignal) {
    this.rewatch();
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** (Re)watches the file now at the path: inotify follows an inode, and a replaced log is a new one. */
  rewatch(): void {
    this.watcher?.close();
    try {
      this.watcher = watch(this.path, () => this.fire('change'));
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = null;
    }
  }

  private fire(v: 'change' | 'stop'): void {
    if (this.wake) {
      const w = this.wake;
      this.wake = null;
      w(v);
    } else if (v === 'change') this.dirty = true;
  }

  next(): Promise<'change' | 'stop'> {
    if (this.signal?.aborted) return Promise.resolve('stop');
    if (this.dirty) {
      this.dirty = false;
      return Promise.resolve('change');
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.fire('change'), POLL_MS);
      this.wake = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
    });
  }

  close(): void {
    this.watcher?.close();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.fire('stop');
  }
}
