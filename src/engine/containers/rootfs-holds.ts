import { KeyedMutex } from '../../lib/mutex.js';

/** How a container's filesystem is mounted and unmounted, and whether its process is running (then it stays mounted). */
export interface RootfsMounter {
  mount(id: string): Promise<void>;
  unmount(id: string): Promise<void>;
  running(id: string): boolean;
}

/**
 * Who needs a container's filesystem mounted: a start in progress, an export
 * or archive read that is still streaming. The mount stays while any holds it
 * or the process runs; the last one out (or the exit, when none holds it)
 * unmounts. Mounting, unmounting and the counts change under one lock per
 * container, so an exit's unmount never slips in after a reader mounted.
 */
export class RootfsHolds {
  private readonly counts = new Map<string, number>();
  private readonly locks = new KeyedMutex();

  constructor(private readonly mounter: RootfsMounter) {}

  /** Mounts (when not mounted yet) and holds; the returned function lets go, at most once. */
  async hold(id: string): Promise<() => Promise<void>> {
    await this.locked(id, async () => {
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      try {
        await this.mounter.mount(id);
      } catch (err) {
        this.drop(id);
        throw err;
      }
    });
    let held = true;
    return async () => {
      if (!held) return;
      held = false;
      await this.locked(id, async () => {
        this.drop(id);
        await this.unmountIfIdle(id);
      });
    };
  }

  /** After an exit: unmount unless someone still holds the filesystem. */
  release(id: string): Promise<void> {
    return this.locked(id, () => this.unmountIfIdle(id));
  }

  forget(id: string): void {
    this.counts.delete(id);
    this.locks.delete(id);
  }

  private async unmountIfIdle(id: string): Promise<void> {
    if ((this.counts.get(id) ?? 0) > 0 || this.mounter.running(id)) return;
    await this.mounter.unmount(id);
  }

  private drop(id: string): void {
    const left = (this.counts.get(id) ?? 1) - 1;
    if (left > 0) this.counts.set(id, left);
    else this.counts.delete(id);
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }
}
