import type { Logger } from './log.js';

/**
 * What SIGTERM and SIGINT do to berthd, as to dockerd: the first starts a
 * clean shutdown, the second is noted, and the third ends a shutdown that
 * hangs, without cleaning up. Returns the handler, for `process.on`.
 */
export function shutdownOnSignals(stop: () => Promise<void>, log: Pick<Logger, 'info' | 'error'>, exit: (code: number) => void): (signal: string) => void {
  let signals = 0;
  return (signal) => {
    if (++signals === 3) {
      log.info(`forcing berthd shutdown without cleanup; ${signals} signals received`);
      exit(1);
    }
    if (signals > 1) return;
    log.info(`received ${signal}, shutting down`);
    stop().then(() => exit(0), (err) => {
      log.error(`shutdown failed: ${(err as Error).message}`);
      exit(1);
    });
  };
}
