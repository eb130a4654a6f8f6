/**
 * Login throttling: failures are counted per key (user name + client
 * address); after a few free tries each further attempt must wait twice as
 * long as the last, up to a ceiling. A success clears the key. Generic so any
 * berth web console can use it.
 */
export interface ThrottleOptions {
  /** Failures allowed before any wait: after this many, the next attempt waits baseDelayMs. */
  freeFailures?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Entries idle this long are forgotten. */
  forgetAfterMs?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  /** Time before which another attempt is refused. */
  until: number;
  last: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly free: number;
  private readonly base: number;
  private readonly max: number;
  private readonly forget: number;
  private readonly now: () => number;

  constructor(o: ThrottleOptions = {}) {
    this.free = o.freeFailures ?? 3;
    this.base = o.baseDelayMs ?? 1000;
    this.max = o.maxDelayMs ?? 15 * 60_000;
    this.forget = o.forgetAfterMs ?? 24 * 3600_000;
    this.now = o.now ?? Date.now;
  }

  /** Milliseconds the caller must still wait before trying `key` again (0: go ahead). */
  retryAfter(key: string): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.until - this.now()) : 0;
  }

  failed(key: string): void {
    const now = this.now();
    this.prune(now);
    const entry = this.entries.get(key) ?? { failures: 0, until: 0, last: now };
    entry.failures++;
    entry.last = now;
    const over = entry.failures - this.free;
    if (over >= 0) entry.until = now + Math.min(this.max, this.base * 2 ** over);
    this.entries.set(key, entry);
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.last > this.forget && now >= entry.until) this.entries.delete(key);
  }
}
