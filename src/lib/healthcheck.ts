/**
 * A health check's settings: the test and its timings in nanoseconds (0 or
 * absent: "inherit", then Docker's defaults).
 */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

const TIMINGS = ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const;

/**
 * moby's merge of a health check over the one it replaces (daemon/commit.go):
 * field by field, whatever the new one leaves empty or 0 comes from the old,
 * even under `NONE`. A container's create merges over its image's this way,
 * and so does each HEALTHCHECK of a build over the step before.
 */
export function mergeHealthcheck(own: HealthConfig | undefined, inherited: HealthConfig | undefined): HealthConfig | undefined {
  if (!inherited) return own;
  if (!own) return inherited;
  const merged: HealthConfig = { ...own };
  if (!own.Test?.length && inherited.Test !== undefined) merged.Test = inherited.Test;
  for (const key of TIMINGS) {
    if (!own[key] && inherited[key]) merged[key] = inherited[key];
  }
  return merged;
}
