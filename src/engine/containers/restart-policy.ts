import type { RestartPolicy } from './types.js';

/** Docker's restart manager timings: 100 ms doubling to 1 minute; reset after 10 s of running. */
export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
export const RESET_AFTER_MS = 10_000;

export interface RestartDecision {
  restart: boolean;
  delayMs: number;
}

/**
 * Whether and when to restart a container that just exited. `previousDelayMs`
 * is the last delay used (0 for none); the caller keeps it across restarts.
 */
export function decideRestart(
  policy: RestartPolicy | undefined,
  facts: { exitCode: number; manuallyStopped: boolean; restartCount: number; ranForMs: number; previousDelayMs: number; daemonStopping: boolean },
): RestartDecision {
  const no = { restart: false, delayMs: 0 };
  if (!policy || facts.manuallyStopped || facts.daemonStopping) return no;
  switch (policy.Name) {
    case 'always':
    case 'unless-stopped':
      break;
    case 'on-failure':
      if (facts.exitCode === 0) return no;
      if ((policy.MaximumRetryCount ?? 0) > 0 && facts.restartCount >= policy.MaximumRetryCount!) return no;
      break;
    default:
      return no;
  }
  const delayMs = facts.ranForMs >= RESET_AFTER_MS || facts.previousDelayMs === 0
    ? BACKOFF_START_MS
    : Math.min(facts.previousDelayMs * 2, BACKOFF_MAX_MS);
  return { restart: true, delayMs };
}
