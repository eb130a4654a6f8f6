/** An engine event, shaped as the Engine API's /events messages. */
export interface EngineEvent {
  Type: 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'builder';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

export interface EventBus {
  publish(type: EngineEvent['Type'], action: string, id: string, attributes?: Record<string, string>): void;
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** Recent events (bounded), oldest first, for /events?since=. */
  recent(): EngineEvent[];
}

/** What /events asks for: a time window in nanoseconds since the epoch, and docker's event filters. */
export interface EventQuery {
  sinceNs?: number;
  untilNs?: number;
  filters: Map<string, string[]>;
}

/** Past and live events for /events. */
export interface EventFeed {
  /**
   * The recorded events that match (oldest first, from the bounded in-memory
   * and on-disk history) and, until stop(), each later one that matches.
   * Unknown filter names are refused (invalid), as dockerd does.
   */
  watch(query: EventQuery, listener: (event: EngineEvent) => void): { past: EngineEvent[]; stop(): void };
}
