/**
 * The on-disk half of the event history: JSON lines appended to one file,
 * which moves aside to "<file>.1" when it passes its size cap (the one
 * before is dropped), so the history survives a berthd restart in bounded
 * space. Writes go through one append stream, in order; a failure to write
 * is reported once and never stops events from flowing.
 */
import { createWriteStream, readFileSync, renameSync, statSync, type WriteStream } from 'node:fs';
import type { EngineEvent } from './types.js';

export interface JournalOptions {
  path: string;
  /** Size at which the file moves aside (default 4 MiB). */
  maxBytes?: number;
  onError?: (message: string) => void;
}

export class EventJournal {
  private stream: WriteStream | undefined;
  private size = 0;
  private failed = false;
  private readonly maxBytes: number;

  constructor(private readonly options: JournalOptions) {
    this.maxBytes = options.maxBytes ?? 4 << 20;
  }

  /** The newest `limit` events recorded, oldest first (from "<file>.1" and the file). */
  load(limit: number): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const path of [`${this.options.path}.1`, this.options.path]) {
      let text = '';
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          events.push(JSON.parse(line) as EngineEvent);
        } catch {
          // A line cut short by a crash: skip it.
        }
      }
    }
    return events.slice(-limit);
  }

  append(event: EngineEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    if (!this.stream) this.open();
    if (this.size + line.length > this.maxBytes) this.rotate();
    this.size += Buffer.byteLength(line);
    this.stream!.write(line);
  }

  close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    return new Promise((resolve) => (stream ? stream.end(resolve) : resolve()));
  }

  private open(): void {
    try {
      this.size = statSync(this.options.path).size;
    } catch {
      this.size = 0;
    }
    this.stream = createWriteStream(this.options.path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (err) => {
      if (!this.failed) this.options.onError?.(`could not write the event log ${this.options.path}: ${err.message}`);
      this.failed = true;
    });
  }

  private rotate(): void {
    // Rename first: the open stream keeps writing to the old file (now "<file>.1") until it is replaced.
    try {
      renameSync(this.options.path, `${this.options.path}.1`);
    } catch {
      // nothing to move aside yet
    }
    this.stream?.end();
    this.stream = undefined;
    this.open();
  }
}
