/**
 * Work that callers do not wait for (a deletion after the answer) but that a
 * shutdown, or a test, must see finished: each task is kept until it settles,
 * its failure is swallowed (the task itself says what a failure means), and
 * settled() waits for every task, including ones added while it waits.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  /** Starts keeping `task`; returns at once. */
  add(task: Promise<unknown>): void {
    const kept: Promise<void> = task.then(
      () => undefined,
      () => undefined,
    ).finally(() => this.running.delete(kept));
    this.running.add(kept);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once no task is left. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
