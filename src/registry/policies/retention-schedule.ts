/**
 * Retention on a schedule: each project may set one (none, every N hours,
 * daily at a UTC time: garbage collection's kinds, gc-schedule.ts). One
 * timer serves every project: it is set for the soonest run due (re-armed at
 * least hourly, as garbage collection's is), and runs every project that is
 * due then. A run missed while the registry was down is due once it starts.
 */
import { nextRun } from '../gc-schedule.js';
import { SCHEDULER } from '../gc-service.js';
import type { PolicyService } from './service.js';

/** setTimeout holds at most ~24.8 days, and clocks move: re-check at least this often. */
const MAX_TIMER_MS = 3600 * 1000;

export class RetentionScheduler {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly service: PolicyService,
    private readonly log: (line: string) => void,
  ) {}

  /** When a project's next scheduled run is due (ms), or undefined for none. */
  next(project: string, now = Date.now()): number | undefined {
    const retention = this.service.policies(project)?.retention;
    return retention?.schedule && nextRun(retention.schedule, retention.lastScheduled, now);
  }

  /** Sets the timer for the soonest run of any project (call again after a schedule changes). */
  arm(): void {
    this.close();
    const now = Date.now();
    const due = this.service.store.projects().map((p) => this.next(p, now)).filter((t): t is number => t !== undefined);
    if (due.length === 0) return;
    this.timer = setTimeout(() => void this.tick(), Math.min(Math.max(Math.min(...due) - now, 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    for (const project of this.service.store.projects()) {
      const at = this.next(project);
      if (at === undefined || at > Date.now()) continue;
      try {
        await this.service.update(project, (p) => void (p.retention.lastScheduled = Date.now()));
        const report = await this.service.retain(project, { dryRun: false, trigger: 'schedule', operator: SCHEDULER });
        this.log(`retention of ${project} (scheduled): deleted ${report.deleted.length} tags, kept ${report.kept}`);
      } catch (err) {
        this.log(`error: scheduled retention of ${project}: ${(err as Error).message}`);
      }
    }
    this.arm();
  }
}
