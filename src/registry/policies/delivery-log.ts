/**
 * The history of webhook deliveries, per webhook, newest first and at most
 * KEEP_PER_WEBHOOK of each (webhooks are bounded per project, so the whole
 * is too), kept in <root>/auth/webhook-deliveries.json so that it outlives
 * a restart (Harbor keeps its job log in its database). Changes are written
 * in the background, coalesced: a burst of attempts makes one or two writes.
 * A delivery still trying is saved with the body it sends, so that the
 * next start carries on with it (unfinished()); one saved without its body
 * (by an older registry) is shown as failed, since nothing can retry it.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic.js';
import { CoalescedSave } from '../../lib/coalesced-save.js';
import { isMissing } from '../storage/fs-util.js';
import type { Delivery } from './webhook-types.js';

export const KEEP_PER_WEBHOOK = 20;

/** A delivery that has not finished, with what it sends. */
export interface Unfinished {
  hookId: string;
  delivery: Delivery;
  body: string;
}

/** The file: the history per webhook, and the bodies of the deliveries still trying, by delivery id. */
interface Saved {
  deliveries: Record<string, Delivery[]>;
  pending: Record<string, string>;
}

export class DeliveryLog {
  private readonly saver: CoalescedSave | undefined;

  private constructor(
    private readonly path: string | undefined,
    private readonly history: Map<string, Delivery[]>,
    /** The bodies of pending deliveries, by delivery id. */
    private readonly bodies: Map<string, string>,
    private readonly log: (line: string) => void,
  ) {
    this.saver = path === undefined ? undefined : new CoalescedSave(() => this.write());
  }

  /** Kept in memory only (tests of the sender). */
  static inMemory(): DeliveryLog {
    return new DeliveryLog(undefined, new Map(), new Map(), () => undefined);
  }

  /** Loaded from and saved to `path`. */
  static async open(path: string, log: (line: string) => void): Promise<DeliveryLog> {
    const saved = await load(path, log);
    const bodies = new Map(Object.entries(saved.pending).filter(([, body]) => typeof body === 'string'));
    const history = new Map<string, Delivery[]>();
    for (const [hook, list] of Object.entries(saved.deliveries)) {
      if (Array.isArray(list)) history.set(hook, list.slice(0, KEEP_PER_WEBHOOK).map((d) => (bodies.has(d.id) ? d : interrupted(d))));
    }
    return new DeliveryLog(path, history, bodies, log);
  }

  /** Records a new delivery; a pending one with the `body` it sends, to be carried on after a restart. */
  add(hookId: string, delivery: Delivery, body?: string): void {
    this.history.set(hookId, [delivery, ...(this.history.get(hookId) ?? [])].slice(0, KEEP_PER_WEBHOOK));
    if (delivery.status === 'pending' && body !== undefined) this.bodies.set(delivery.id, body);
    this.changed();
  }

  list(hookId: string): Delivery[] {
    return this.history.get(hookId) ?? [];
  }

  /** The deliveries a previous run left pending, with their bodies. */
  unfinished(): Unfinished[] {
    return [...this.history].flatMap(([hookId, list]) =>
      list.filter((d) => d.status === 'pending' && this.bodies.has(d.id)).map((delivery) => ({ hookId, delivery, body: this.bodies.get(delivery.id)! })),
    );
  }

  forget(hookId: string): void {
    for (const d of this.history.get(hookId) ?? []) this.bodies.delete(d.id);
    if (this.history.delete(hookId)) this.changed();
  }

  /** A delivery in the log was changed in place (an attempt, its outcome): save soon. A finished one no longer needs its body. */
  changed(): void {
    this.saver?.changed();
  }

  /** Resolves once every change so far is on disk (on shutdown). */
  async flush(): Promise<void> {
    await this.saver?.flush();
  }

  private async write(): Promise<void> {
    const pending = this.unfinished();
    // Bodies of deliveries that finished, or left the history, are dropped.
    const keep = new Set(pending.map((u) => u.delivery.id));
    for (const id of this.bodies.keys()) if (!keep.has(id)) this.bodies.delete(id);
    const saved: Saved = { deliveries: Object.fromEntries(this.history), pending: Object.fromEntries(pending.map((u) => [u.delivery.id, u.body])) };
    await writeFileAtomic(this.path!, `${JSON.stringify(saved)}\n`, 0o600).catch((err: unknown) => this.log(`error: saving webhook deliveries: ${(err as Error).message}`));
  }
}

async function load(path: string, log: (line: string) => void): Promise<Saved> {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (typeof saved !== 'object' || saved === null) return { deliveries: {}, pending: {} };
    const s = saved as Partial<Saved>;
    // Before pending bodies were kept, the file was the history alone.
    if (typeof s.deliveries !== 'object' || s.deliveries === null) return { deliveries: saved as Record<string, Delivery[]>, pending: {} };
    return { deliveries: s.deliveries, pending: typeof s.pending === 'object' && s.pending !== null ? s.pending : {} };
  } catch (err) {
    // A history that cannot be read is not worth refusing to start for: it starts again, empty.
    if (!isMissing(err)) log(`warning: ignoring unreadable ${path}: ${(err as Error).message}`);
    return { deliveries: {}, pending: {} };
  }
}

function interrupted(d: Delivery): Delivery {
  if (d.status !== 'pending') return d;
  return { ...d, status: 'failed', attempts: [...d.attempts, { time: new Date().toISOString(), error: 'the registry stopped before the delivery finished' }] };
}
