/**
 * The history of webhook deliveries, per webhook, newest first and at most
 * KEEP_PER_WEBHOOK of each (webhooks are bounded per project, so the whole
 * is too), kept in <root>/auth/webhook-deliveries.json so that it outlives
 * a restart (Harbor keeps its job log in its database). Changes are written
 * in the background, coalesced: a burst of attempts makes one or two writes.
 * Deliveries the registry stopped in the middle of are shown as failed,
 * since nothing will retry them.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic.js';
import { isMissing } from '../storage/fs-util.js';
import type { Delivery } from './webhook-types.js';

export const KEEP_PER_WEBHOOK = 20;

export class DeliveryLog {
  private writing: Promise<void> | undefined;
  private again = false;

  private constructor(
    private readonly path: string | undefined,
    private readonly history: Map<string, Delivery[]>,
    private readonly log: (line: string) => void,
  ) {}

  /** Kept in memory only (tests of the sender). */
  static inMemory(): DeliveryLog {
    return new DeliveryLog(undefined, new Map(), () => undefined);
  }

  /** Loaded from and saved to `path`. */
  static async open(path: string, log: (line: string) => void): Promise<DeliveryLog> {
    const history = new Map<string, Delivery[]>();
    for (const [hook, list] of Object.entries(await load(path, log))) {
      if (Array.isArray(list)) history.set(hook, list.slice(0, KEEP_PER_WEBHOOK).map(interrupted));
    }
    return new DeliveryLog(path, history, log);
  }

  add(hookId: string, delivery: Delivery): void {
    this.history.set(hookId, [delivery, ...(this.history.get(hookId) ?? [])].slice(0, KEEP_PER_WEBHOOK));
    this.changed();
  }

  list(hookId: string): Delivery[] {
    return this.history.get(hookId) ?? [];
  }

  forget(hookId: string): void {
    if (this.history.delete(hookId)) this.changed();
  }

  /** A delivery in the log was changed in place (an attempt, its outcome): save soon. */
  changed(): void {
    if (!this.path) return;
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.write().finally(() => {
      this.writing = undefined;
      if (this.again) {
        this.again = false;
        this.changed();
      }
    });
  }

  /** Resolves once every change so far is on disk (on shutdown). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async write(): Promise<void> {
    const text = `${JSON.stringify(Object.fromEntries(this.history))}\n`;
    await writeFileAtomic(this.path!, text, 0o600).catch((err: unknown) => this.log(`error: saving webhook deliveries: ${(err as Error).message}`));
  }
}

async function load(path: string, log: (line: string) => void): Promise<Record<string, Delivery[]>> {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return typeof saved === 'object' && saved !== null ? (saved as Record<string, Delivery[]>) : {};
  } catch (err) {
    // A history that cannot be read is not worth refusing to start for: it starts again, empty.
    if (!isMissing(err)) log(`warning: ignoring unreadable ${path}: ${(err as Error).message}`);
    return {};
  }
}

function interrupted(d: Delivery): Delivery {
  if (d.status !== 'pending') return d;
  return { ...d, status: 'failed', attempts: [...d.attempts, { time: new Date().toISOString(), error: 'the registry stopped before the delivery finished' }] };
}
