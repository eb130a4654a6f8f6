/**
 * Deletions of a container's runtime state (runc's dir, conmon, cgroup,
 * bundle), one chain per container, so that they never overlap and whoever
 * next needs that state gone chains after them instead of waiting on the
 * container's lock. An exit's deletion goes here once the exit is recorded:
 * a start runs its own deletion after it, and an rm answers once the
 * container's records are gone and leaves its deletion at the end of the
 * chain (recovery deletes runtime state nobody owns, should berthd die first).
 */
export class RuntimeCleanups {
  /** Per container: the end of its chain, settled whatever the deletions gave. */
  private readonly chains = new Map<string, Promise<void>>();

  /** Runs `fn` after the container's earlier deletions (at once when there are none); its result, errors included, is the caller's. */
  after<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(id);
    const run = previous ? previous.then(fn) : fn();
    const end = run.then(() => undefined, () => undefined);
    this.chains.set(id, end);
    void end.then(() => {
      if (this.chains.get(id) === end) this.chains.delete(id);
    });
    return run;
  }

  /** Whether a deletion of this container's runtime state is still on its way. */
  pending(id: string): boolean {
    return this.chains.has(id);
  }

  /** Resolves once no deletion is on its way (berthd's stop waits for this). */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }
}
