import { constants } from 'node:os';
import { posix } from 'node:path';
import { invalid } from '../../lib/errors.js';
import type { ContainerConfig } from './types.js';

/**
 * The container config's own checks, as dockerd's verifyContainerSettings
 * makes them before anything is created (daemon/container.go): working
 * directory, stop signal, environment entries and health check durations.
 */
export function checkConfig(config: ContainerConfig): void {
  if (config.WorkingDir && !posix.isAbsolute(config.WorkingDir)) {
    throw invalid(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  if (config.StopSignal && !isSignal(config.StopSignal)) throw invalid(`Invalid signal: ${config.StopSignal}`);
  for (const entry of config.Env ?? []) checkEnvEntry(entry);
  checkHealthcheck(config.Healthcheck);
}

/**
 * "KEY=value", or a bare "KEY" (which unsets KEY, as `-e KEY` sends it when
 * the client has no KEY); an entry with no name ("", "=", "=x") is refused.
 */
export function checkEnvEntry(entry: string): void {
  if (typeof entry !== 'string' || entry.split('=', 1)[0] === '') throw invalid(`invalid environment variable: ${entry}`);
}

/** Go's time.Duration of 1 ms: smaller non-zero durations are a unit mistake (3 meant as 3 s is 3 ns). */
const MINIMUM_DURATION_NS = 1_000_000;

function checkHealthcheck(health: ContainerConfig['Healthcheck']): void {
  if (!health) return;
  // null (the Python SDK sends unset durations so) is absent, as Go reads it.
  const tooShort = (ns: number | null | undefined) => ns != null && ns !== 0 && ns < MINIMUM_DURATION_NS;
  if (tooShort(health.Interval)) throw invalid('Interval in Healthcheck cannot be less than 1ms');
  if (tooShort(health.Timeout)) throw invalid('Timeout in Healthcheck cannot be less than 1ms');
  if ((health.Retries ?? 0) < 0) throw invalid('Retries in Healthcheck cannot be negative');
  if (tooShort(health.StartPeriod)) throw invalid('StartPeriod in Healthcheck cannot be less than 1ms');
}

/** Go's signal.ParseSignal: a non-zero number, or a name with or without SIG (RTMIN+n included). */
function isSignal(raw: string): boolean {
  if (/^[+-]?\d+$/.test(raw)) return Number(raw) !== 0;
  const name = raw.toUpperCase().replace(/^SIG/, '');
  return `SIG${name}` in constants.signals || /^RTM(IN|AX)([+-]\d+)?$/.test(name);
}
