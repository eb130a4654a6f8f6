import { Transform, type TransformCallback } from 'node:stream';
import { humanSize } from '../../lib/units.js';
import type { ProgressSink } from '../images/types.js';

/** Byte progress is reported at most this often per layer; the final figure always goes out. */
const INTERVAL_MS = 100;

/**
 * Progress of one item (a layer) in Docker's JSON message stream: plain
 * statuses ("Pulling fs layer", "Pull complete") and byte counts
 * ("Downloading" with progressDetail and the old `progress` bar text, which
 * older clients print as it is).
 */
export class ItemProgress {
  private last = 0;

  constructor(private readonly sink: ProgressSink, readonly id: string) {}

  status(status: string): void {
    this.sink({ status, progressDetail: {}, id: this.id });
  }

  bytes(status: string, current: number, total: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < INTERVAL_MS) return;
    this.last = now;
    this.sink({ status, progressDetail: { current, total }, progress: progressBar(current, total), id: this.id });
  }

  /** A pass-through stream that reports the bytes flowing through it. */
  counter(status: string, total: number): Transform {
    let current = 0;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const progress = this;
    return new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
        current += chunk.length;
        progress.bytes(status, current, total);
        done(null, chunk);
      },
      flush(done: TransformCallback) {
        progress.bytes(status, current, total, true);
        done();
      },
    });
  }
}

/** jsonmessage.JSONProgress.String() at a wide terminal: `[=====>     ]  1.2MB/3.4MB`. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return current > 0 ? humanSize(current).padStart(8) : '';
  const half = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const box = `[${'='.repeat(half)}>${' '.repeat(Math.max(0, 50 - half))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return box + numbers;
}
