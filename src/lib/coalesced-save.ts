/**
 * A state saved in the background each time it changes, with the writes
 * coalesced: while one write runs, any further changes ask for one more, so
 * a burst of changes makes one or two writes, the last of the latest state.
 */
export class CoalescedSave {
  private writing: Promise<void> | undefined;
  private again = false;

  /** `write` saves the current state; it reports its own errors (a save that failed is retried at the next change). */
  constructor(private readonly write: () => Promise<void>) {}

  changed(): void {
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
}
