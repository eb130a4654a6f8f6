/**
 * One run of a task per key at a time: a second caller for the same key
 * (two pulls sharing a base layer) waits for the first run instead of
 * downloading or unpacking the same layer again. The key is forgotten once
 * its run settles, so a failed run can be tried afresh.
 */
export class InFlight<K> {
  private readonly running = new Map<K, Promise<void>>();

  /** Resolves true when this caller's task was the one that ran, false when it joined another's run. */
  async run(key: K, task: () => Promise<void>): Promise<boolean> {
    const existing = this.running.get(key);
    if (existing) {
      await existing;
      return false;
    }
    const started = task().finally(() => this.running.delete(key));
    this.running.set(key, started);
    await started;
    return true;
  }
}
