import type { EngineEvent, EventBus } from './types.js';

/**
 * In-process event bus with a bounded history, so that /events?since= can
 * replay recent events without unbounded memory.
 */
export class MemoryEventBus implements EventBus {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly history: EngineEvent[] = [];

  constructor(private readonly capacity = 1024) {}

  publish(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const nowNs = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    this.history.push(event);
    if (this.history.length > this.capacity) this.history.shift();
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recent(): EngineEvent[] {
    return [...this.history];
  }
}
