/**
 * Digests a push has just used: blobs checked with HEAD, uploaded, mounted,
 * or named by a manifest being stored. Garbage collection in the running
 * registry keeps these, since a client that learned a blob is there will push
 * a manifest naming it without uploading it again. Entries older than the
 * window are forgotten, so memory stays bounded by one window's traffic.
 */
import type { Digest } from '../../lib/digest.js';

export class RecentDigests {
  private readonly seen = new Map<Digest, number>();

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  touch(digest: Digest): void {
    const now = this.now();
    // Re-inserting keeps the Map in time order, so pruning stops at the first young entry.
    this.seen.delete(digest);
    this.seen.set(digest, now);
    this.prune(now);
  }

  /** Whether `digest` was used at or after `since` (ms since the epoch). */
  usedSince(digest: Digest, since: number): boolean {
    const at = this.seen.get(digest);
    return at !== undefined && at >= since;
  }

  private prune(now: number): void {
    for (const [digest, at] of this.seen) {
      if (now - at <= this.windowMs) break;
      this.seen.delete(digest);
    }
  }
}
