import { goMapOrder } from '../../lib/go-map.js';
import { eventMatches } from './filter.js';
import type { EventJournal } from './journal.js';
import type { EngineEvent, EventBus, EventFeed, EventQuery } from './types.js';

/**
 * In-process event bus with a bounded history, so that /events?since= can
 * replay recent events without unbounded memory. With a journal, every event
 * is also written to disk and the history is reloaded from it at start, so
 * `since` reaches back across a berthd restart.
 */
export class MemoryEventBus implements EventBus, EventFeed {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly history: EngineEvent[] = [];
  private lastNs = 0n;
  /** Open watch() subscriptions: /info's NEventsListener. */
  private watching = 0;

  constructor(
    private readonly capacity = 1024,
    private readonly journal?: EventJournal,
  ) {
    if (journal) this.history.push(...journal.load(capacity));
  }

  publish(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const nowNs = this.nextTimeNs();
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: goMapOrder(attributes) },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    this.history.push(event);
    if (this.history.length > this.capacity) this.history.shift();
    this.journal?.append(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Wall-clock nanoseconds, strictly increasing so that since/until windows order events as they happened. */
  private nextTimeNs(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    this.lastNs = now > this.lastNs ? now : this.lastNs + 1n;
    return this.lastNs;
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recent(): EngineEvent[] {
    return [...this.history];
  }

  watch(query: EventQuery, listener: (event: EngineEvent) => void): { past: EngineEvent[]; stop(): void } {
    const inWindow = (e: EngineEvent) => (query.sinceNs === undefined || e.timeNano >= query.sinceNs) && (query.untilNs === undefined || e.timeNano <= query.untilNs);
    const wanted = (e: EngineEvent) => inWindow(e) && eventMatches(query.filters, e);
    // Snapshot and subscribe in one turn of the event loop: nothing can fall between the two.
    const past = query.sinceNs === undefined && query.untilNs === undefined ? [] : this.history.filter(wanted);
    const unsubscribe = this.subscribe((e) => {
      if (wanted(e)) listener(e);
    });
    this.watching++;
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.watching--;
      unsubscribe();
    };
    return { past, stop };
  }

  watchers(): number {
    return this.watching;
  }

  close(): Promise<void> {
    return this.journal?.close() ?? Promise.resolve();
  }
}
