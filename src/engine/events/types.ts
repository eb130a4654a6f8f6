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
