/**
 * Login throttling: failures are counted per key (LoginGate uses user name +
 * client address, and the address alone); after a few free tries each
 * further attempt must wait twice as long as the last, up to a ceiling. A
 * success clears the key. Generic so any berth web console can use it.
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

  /** Takes one failure back (an attempt counted before its outcome was known turned out right). */
  forgive(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.failures--;
    if (entry.failures <= 0) this.entries.delete(key);
    else if (entry.failures < this.free) entry.until = 0;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.last > this.forget && now >= entry.until) this.entries.delete(key);
  }
}

/** Failures one client address may make over all user names before it has to wait. */
const ADDRESS_FREE_FAILURES = 20;

/**
 * What a sign-in goes through: a throttle per user name and address (a few
 * free failures) and one per address alone (more), so that one address
 * cannot try many names. An attempt counts as failed from the moment it is
 * let in, before the password is checked: attempts sent in parallel cannot
 * all pass the check while the first is still being verified. A success
 * clears the name's count and takes the attempt back from the address's.
 */
export class LoginGate {
  private readonly byUser: LoginThrottle;
  private readonly byAddress: LoginThrottle;

  constructor(o: ThrottleOptions = {}) {
    this.byUser = new LoginThrottle(o);
    this.byAddress = new LoginThrottle({ ...o, freeFailures: Math.max(ADDRESS_FREE_FAILURES, (o.freeFailures ?? 3) * 5) });
  }

  /** Milliseconds still to wait (the attempt is refused), or 0: the attempt is counted and may go on. */
  enter(user: string, address: string): number {
    const key = userKey(user, address);
    const wait = Math.max(this.byUser.retryAfter(key), this.byAddress.retryAfter(address));
    if (wait > 0) return wait;
    this.byUser.failed(key);
    this.byAddress.failed(address);
    return 0;
  }

  succeeded(user: string, address: string): void {
    this.byUser.succeeded(userKey(user, address));
    this.byAddress.forgive(address);
  }
}

function userKey(user: string, address: string): string {
  return `${user}\n${address}`;
}
