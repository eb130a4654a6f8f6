/**
 * Garbage collection inside the running registry (the console's "run now"
 * and the schedule): one run at a time, with the grace period that keeps
 * pushes in flight safe (gc.ts), and a report of each run (what was removed,
 * how long it took, when, who or what started it) kept with the schedule in
 * gc/state.json under the registry's root, newest first.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic.js';
import { conflict, invalid } from '../lib/errors.js';
import { Mutex } from '../lib/mutex.js';
import { collectGarbage } from './gc.js';
import type { GcRun } from './console/web/wire.js';
import { nextRun, type GcSchedule } from './gc-schedule.js';
import { GC_GRACE_MS, type Registry } from './registry.js';
import { isMissing } from './storage/fs-util.js';

/** Reports kept (older ones are dropped). */
export const KEPT_RUNS = 25;
/** A timer longer than this is re-armed in steps (setTimeout holds at most ~24.8 days; clocks also move). */
const MAX_TIMER_MS = 3600 * 1000;
export const SCHEDULER = 'scheduler';

export type { GcRun };

interface GcState {
  schedule: GcSchedule;
  /** When the last scheduled run started (ms): the interval counts from it. */
  lastScheduled?: number;
  runs: GcRun[];
}

export interface GcStatus {
  running: boolean;
  schedule: GcSchedule;
  next_run: string | null;
  runs: GcRun[];
}

export interface GcRunOptions {
  dryRun?: boolean;
  deleteUntagged?: boolean;
}

export class GcService {
  private current: Promise<GcRun> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Mutex();

  private constructor(
    private readonly registry: Registry,
    private readonly path: string,
    private state: GcState,
    private readonly log: (line: string) => void,
    private readonly graceMs: number,
  ) {}

  static async open(registry: Registry, log: (line: string) => void, graceMs = GC_GRACE_MS): Promise<GcService> {
    const path = join(registry.layout.root, 'gc', 'state.json');
    const service = new GcService(registry, path, await loadState(path), log, graceMs);
    service.arm();
    return service;
  }

  status(now = Date.now()): GcStatus {
    const next = nextRun(this.state.schedule, this.state.lastScheduled, now);
    return { running: this.current !== undefined, schedule: this.state.schedule, next_run: next === undefined ? null : new Date(next).toISOString(), runs: this.state.runs };
  }

  /** Runs now; refused while a run is going on. A failed run is recorded and its error thrown. */
  run(by: string, options: GcRunOptions = {}, trigger: GcRun['trigger'] = 'manual'): Promise<GcRun> {
    if (this.current) throw conflict('a garbage collection is already running');
    const running = this.collect(by, options, trigger).finally(() => {
      this.current = undefined;
    });
    this.current = running;
    return running;
  }

  async setSchedule(schedule: GcSchedule): Promise<void> {
    // An interval counts from when it was set: without a start it would be re-computed as "N hours from now" at every re-arm and never come.
    await this.update((s) => ({ ...s, schedule, lastScheduled: Date.now() }));
    this.arm();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async collect(by: string, options: GcRunOptions, trigger: GcRun['trigger']): Promise<GcRun> {
    const started = Date.now();
    const base = { started: new Date(started).toISOString(), by, trigger, dry_run: options.dryRun === true, delete_untagged: options.deleteUntagged === true };
    let run: GcRun;
    let failure: unknown;
    try {
      const report = await collectGarbage(this.registry, { dryRun: base.dry_run, deleteUntagged: base.delete_untagged, graceMs: this.graceMs, now: started, log: () => undefined });
      run = { ...base, ...finish(started), blobs_removed: report.blobs.length, bytes_removed: report.bytes, manifests_removed: report.manifests.length, blobs_kept: report.kept };
    } catch (err) {
      failure = err;
      run = { ...base, ...finish(started), blobs_removed: 0, bytes_removed: 0, manifests_removed: 0, blobs_kept: 0, error: (err as Error).message };
    }
    this.log(`gc by ${by}: ${run.error ? `failed: ${run.error}` : `removed ${run.blobs_removed} blobs (${run.bytes_removed} bytes) and ${run.manifests_removed} manifests in ${run.duration_ms} ms`}`);
    await this.update((s) => ({ ...s, runs: [run, ...s.runs].slice(0, KEPT_RUNS) }));
    if (failure) throw failure;
    return run;
  }

  /** Sets a timer for the next scheduled run (in steps of at most an hour, re-checked each time). */
  private arm(): void {
    this.close();
    const next = nextRun(this.state.schedule, this.state.lastScheduled, Date.now());
    if (next === undefined) return;
    const wait = Math.min(Math.max(next - Date.now(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => void this.tick(next), wait);
    this.timer.unref();
  }

  private async tick(due: number): Promise<void> {
    if (Date.now() >= due && !this.current) {
      await this.update((s) => ({ ...s, lastScheduled: Date.now() }));
      await this.run(SCHEDULER, {}, 'schedule').catch(() => undefined);
    }
    this.arm();
  }

  private update(fn: (s: GcState) => GcState): Promise<void> {
    return this.writes.run(async () => {
      const next = fn(this.state);
      await writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
      this.state = next;
    });
  }
}

function finish(started: number): { finished: string; duration_ms: number } {
  const now = Date.now();
  return { finished: new Date(now).toISOString(), duration_ms: now - started };
}

async function loadState(path: string): Promise<GcState> {
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as Partial<GcState>;
    return { schedule: saved.schedule ?? { kind: 'none' }, lastScheduled: saved.lastScheduled, runs: Array.isArray(saved.runs) ? saved.runs : [] };
  } catch (err) {
    if (isMissing(err)) return { schedule: { kind: 'none' }, runs: [] };
    throw invalid(`cannot read ${path}: ${(err as Error).message}`, err);
  }
}
