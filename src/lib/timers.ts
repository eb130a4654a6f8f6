/** Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms instead (with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves after `ms` milliseconds, however long that is (dockerd waits
 * `stop -t 3000000` out in full): the wait is made of timers no longer than
 * Node allows. The timers are unref'd, so a pending delay never keeps the
 * process alive. Infinity or NaN never resolves.
 */
export function longDelay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (Number.isNaN(ms)) return;
    const deadline = Date.now() + Math.max(0, ms);
    const arm = (): void => {
      const left = deadline - Date.now();
      if (left <= 0) return resolve();
      setTimeout(arm, Math.min(left, MAX_TIMER_MS)).unref();
    };
    arm();
  });
}
