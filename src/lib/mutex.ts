/** A promise-chain lock: callers of run() execute one at a time, in order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One Mutex per key (a container's ID…), made on first use. */
export class KeyedMutex {
  private readonly mutexes = new Map<string, Mutex>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let mutex = this.mutexes.get(key);
    if (!mutex) {
      mutex = new Mutex();
      this.mutexes.set(key, mutex);
    }
    return mutex.run(fn);
  }

  delete(key: string): void {
    this.mutexes.delete(key);
  }
}

/**
 * Many shared holders at once, or one exclusive holder; waiters start in
 * arrival order (a waiting exclusive caller holds back later shared ones, so
 * it is never starved).
 */
export class SharedMutex {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly queue: { exclusive: boolean; start: () => void }[] = [];

  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.hold(false, fn);
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.hold(true, fn);
  }

  private async hold<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.queue.length === 0 && this.free(exclusive)) this.enter(exclusive);
    else await new Promise<void>((resolve) => this.queue.push({ exclusive, start: () => { this.enter(exclusive); resolve(); } }));
    try {
      return await fn();
    } finally {
      if (exclusive) this.exclusiveHeld = false;
      else this.sharedHolders--;
      while (this.queue.length > 0 && this.free(this.queue[0]!.exclusive)) this.queue.shift()!.start();
    }
  }

  private free(exclusive: boolean): boolean {
    return !this.exclusiveHeld && (!exclusive || this.sharedHolders === 0);
  }

  private enter(exclusive: boolean): void {
    if (exclusive) this.exclusiveHeld = true;
    else this.sharedHolders++;
  }
}
