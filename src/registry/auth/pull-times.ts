/**
 * When each manifest was last pulled, per repository (Harbor's "pull time"
 * of an artifact, shown in the console beside each tag). Kept in memory and
 * saved in the background to <root>/auth/pull-times.json, so a burst of pulls
 * makes one or two writes; a removed manifest (deleted, collected, expired) and a repository
 * deleted from the console are forgotten.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic.js';
import { CoalescedSave } from '../../lib/coalesced-save.js';
import { isMissing } from '../storage/fs-util.js';

/** repository → manifest digest → seconds since the epoch. */
type Saved = Record<string, Record<string, number>>;

export class PullTimes {
  private readonly saver = new CoalescedSave(() => this.write());

  private constructor(
    private readonly path: string,
    private readonly times: Map<string, Map<string, number>>,
    private readonly log: (line: string) => void,
  ) {}

  static async open(path: string, log: (line: string) => void): Promise<PullTimes> {
    const times = new Map<string, Map<string, number>>();
    for (const [repository, digests] of Object.entries(await load(path, log))) {
      if (typeof digests !== 'object' || digests === null) continue;
      times.set(repository, new Map(Object.entries(digests).filter(([, t]) => typeof t === 'number')));
    }
    return new PullTimes(path, times, log);
  }

  record(repository: string, digest: string, when = Date.now()): void {
    const digests = this.times.get(repository) ?? new Map<string, number>();
    this.times.set(repository, digests);
    digests.set(digest, Math.floor(when / 1000));
    this.saver.changed();
  }

  /** Seconds since the epoch of the last pull of `digest` from `repository`, or undefined if never. */
  last(repository: string, digest: string): number | undefined {
    return this.times.get(repository)?.get(digest);
  }

  /** A manifest removed from the registry: its pull time goes with it (and an emptied repository). */
  forgetManifest(repository: string, digest: string): void {
    const digests = this.times.get(repository);
    if (!digests?.delete(digest)) return;
    if (digests.size === 0) this.times.delete(repository);
    this.saver.changed();
  }

  forget(repository: string): void {
    if (this.times.delete(repository)) this.saver.changed();
  }

  flush(): Promise<void> {
    return this.saver.flush();
  }

  private async write(): Promise<void> {
    const saved: Saved = Object.fromEntries([...this.times].map(([repository, digests]) => [repository, Object.fromEntries(digests)]));
    // Not synced: a burst of pulls would otherwise cost an fsync per write, and a last-pull time lost to a power cut harms nothing.
    await writeFileAtomic(this.path, `${JSON.stringify(saved)}\n`, 0o600, { durable: false }).catch((err: unknown) => this.log(`error: saving pull times: ${(err as Error).message}`));
  }
}

async function load(path: string, log: (line: string) => void): Promise<Saved> {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return typeof saved === 'object' && saved !== null ? (saved as Saved) : {};
  } catch (err) {
    // Pull times that cannot be read are not worth refusing to start for: they start again, empty.
    if (!isMissing(err)) log(`warning: ignoring unreadable ${path}: ${(err as Error).message}`);
    return {};
  }
}
