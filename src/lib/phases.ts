/**
 * Phase timings for profiling the container start path, off unless berthd runs
 * with BERTH_PHASES=1. Each mark writes one line to stderr (the daemon's log):
 *
 *   phase <epoch ms, 3 decimals> <key> <name>
 *
 * The key ties marks of one container together across requests (create, start,
 * wait, exit, rm); bench/lib/phases.ts reads the lines back and prints the
 * breakdown. Marks cost one boolean test when off.
 */
const enabled = process.env.BERTH_PHASES === '1';

export function phasesEnabled(): boolean {
  return enabled;
}

/** `at`: when it happened (epoch ms), if not now, e.g. a file's mtime. */
export function phase(key: string, name: string, at?: number): void {
  if (!enabled) return;
  const when = at ?? performance.timeOrigin + performance.now();
  process.stderr.write(`phase ${when.toFixed(3)} ${key.slice(0, 12)} ${name}\n`);
}

/** Marks `name:begin` and `name:end` around `fn` (also when it throws). */
export async function timed<T>(key: string, name: string, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  phase(key, `${name}:begin`);
  try {
    return await fn();
  } finally {
    phase(key, `${name}:end`);
  }
}
