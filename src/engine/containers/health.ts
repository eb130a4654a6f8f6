import type { ContainerConfig } from '../images/types.js';
import type { Health, HealthLogEntry } from './types.js';
import { longTimeout, type LongTimer } from '../../lib/timers.js';

const SECOND_NS = 1e9;
const DEFAULTS = { interval: 30 * SECOND_NS, timeout: 30 * SECOND_NS, retries: 3, startPeriod: 0 };
const MAX_LOG_ENTRIES = 5;
const MAX_OUTPUT = 4096;

export interface ProbeRunner {
  /** Runs the probe in the container; resolves with its exit code and output, or rejects on timeout. */
  (args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

/** The probe command of a healthcheck, or null when there is none (NONE, or empty). */
export function probeArgs(check: ContainerConfig['Healthcheck']): string[] | null {
  const test = check?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return null;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return null;
}

/**
 * Docker's health checks: a probe every Interval, each given Timeout; the
 * status becomes healthy on a success, unhealthy after Retries failures in a
 * row, and failures during StartPeriod do not count. The last five results are
 * kept in the log.
 */
export class HealthMonitor {
  private timer?: LongTimer;
  private stopped = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: Health,
    private readonly check: NonNullable<ContainerConfig['Healthcheck']>,
    private readonly args: string[],
    private readonly runProbe: ProbeRunner,
    private readonly onChange: (status: Health['Status'], changed: boolean) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private ns(value: number | undefined, fallback: number): number {
    return value && value > 0 ? value : fallback;
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = this.ns(this.check.Interval, DEFAULTS.interval) / 1e6;
    // An interval may be longer than one Node timer holds (it would fire at once, over and over).
    this.timer = longTimeout(() => void this.probe(), interval);
  }

  private async probe(): Promise<void> {
    const start = new Date();
    const timeoutMs = this.ns(this.check.Timeout, DEFAULTS.timeout) / 1e6;
    let result: { exitCode: number; output: string };
    try {
      result = await this.runProbe(this.args, timeoutMs);
    } catch (err) {
      result = { exitCode: -1, output: (err as Error).message };
    }
    if (this.stopped) return;
    this.record({ Start: start.toISOString(), End: new Date().toISOString(), ExitCode: result.exitCode, Output: result.output.slice(0, MAX_OUTPUT) });
    this.schedule();
  }

  private record(entry: HealthLogEntry): void {
    const before = this.health.Status;
    this.health.Log.push(entry);
    if (this.health.Log.length > MAX_LOG_ENTRIES) this.health.Log.shift();
    if (entry.ExitCode === 0) {
      this.health.Status = 'healthy';
      this.health.FailingStreak = 0;
    } else {
      const inStartPeriod = Date.now() - this.startedAt < this.ns(this.check.StartPeriod, DEFAULTS.startPeriod) / 1e6;
      if (!inStartPeriod || this.health.Status !== 'starting') {
        this.health.FailingStreak++;
        if (this.health.FailingStreak >= (this.check.Retries || DEFAULTS.retries)) this.health.Status = 'unhealthy';
      }
    }
    this.onChange(this.health.Status, before !== this.health.Status);
  }
}
