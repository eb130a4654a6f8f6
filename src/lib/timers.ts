/** Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms instead (with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  cancel(): void;
}

/**
 * setTimeout for any delay (dockerd waits `stop -t 3000000` out in full, and
 * a health check interval may be weeks): the wait is made of timers no longer
 * than Node allows. The timers are unref'd, so a pending one never keeps the
 * process alive. A delay of Infinity or NaN never fires.
 */
export function longTimeout(fire: () => void, ms: number): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const cancel = () => clearTimeout(timer);
  if (Number.isNaN(ms) || ms === Infinity) return { cancel };
  const deadline = Date.now() + Math.max(0, ms);
  const arm = (): void => {
    const left = deadline - Date.now();
    if (left <= 0) return fire();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return { cancel };
}

/** Resolves after `ms` milliseconds, however long that is (see longTimeout). */
export function longDelay(ms: number): Promise<void> {
  return new Promise((resolve) => void longTimeout(resolve, ms));
}
