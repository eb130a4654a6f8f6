/**
 * File writes left to run while extraction reads on: up to `limit` at once,
 * each a chain of asynchronous calls on the thread pool. A layer's small files
 * are created by several threads instead of one after the other, which is
 * where a loaded host's scheduler gives the daemon its share of CPU and the
 * kernel's file creation overlaps the tar's parsing. Whoever touches a path a
 * pending write might use waits for settle() first.
 */
export class BackgroundWrites {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  /** Starts `write` once fewer than `limit` are running; a failure is thrown by a later add() or settle(). */
  async add(write: () => Promise<void>): Promise<void> {
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    if (this.failure) throw this.failure.error;
    const running: Promise<void> = write()
      .catch((error: unknown) => void (this.failure ??= { error }))
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Waits for every write started; throws the first failure. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every write started, whatever became of them (before the caller removes what they wrote into). */
  async quiesce(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}
