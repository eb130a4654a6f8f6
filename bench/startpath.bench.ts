/**
 * The start path of `run --rm busybox true` (docker CLI), step by step, with
 * --network none and on the default bridge: berthd runs with BERTH_PHASES=1,
 * so it logs a timestamp at each step (src/lib/phases.ts), and bench/lib/phases.ts
 * turns the log into the median time of each step from the create request's
 * arrival. One row per step: the value is the step's own duration (from the
 * mark before it), the note its offset. berth only: dockerd has no such marks;
 * the side-by-side totals are in containers.bench.ts and network.bench.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berthdSpec, startDaemon, type Daemon } from './lib/daemons.js';
import { breakdown } from './lib/phases.js';
import { skipped } from './lib/measure.js';
import { run as runCommand } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const SCENARIOS: { label: string; args: string[] }[] = [
  { label: '--network none', args: ['--network', 'none'] },
  { label: 'default bridge', args: [] },
];

export async function run(ctx: BenchContext): Promise<Row[]> {
  const spec = berthdSpec(ctx.root, { BERTH_PHASES: '1' });
  const unavailable = spec.unavailable();
  if (unavailable) return SCENARIOS.map((s) => skipped(`start path (${s.label})`, 'berth', unavailable));
  let daemon: Daemon;
  try {
    daemon = await startDaemon(spec);
  } catch (err) {
    return SCENARIOS.map((s) => skipped(`start path (${s.label})`, 'berth', (err as Error).message));
  }
  const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args]);
  try {
    const tar = join(daemon.dir, 'busybox.tar');
    await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [tar]);
    await docker('import', '-c', 'CMD ["sh"]', tar, 'busybox:latest');
    const rows: Row[] = [];
    for (const scenario of SCENARIOS) {
      ctx.log(`berth: run --rm (${scenario.label}) ×${ctx.runs} with phase marks`);
      const before = (await readFile(daemon.logPath, 'utf8')).length;
      // One warm-up run, left out of the breakdown.
      for (let i = 0; i <= ctx.runs; i++) await docker('run', '--rm', ...scenario.args, 'busybox', 'true');
      const log = (await readFile(daemon.logPath, 'utf8')).slice(before);
      for (const step of breakdown(log, 1)) {
        rows.push({ bench: `start path (${scenario.label}): ${step.name}`, subject: 'berth', median_ms: step.step, runs: step.runs, note: `at ${step.at} ms` });
      }
    }
    return rows;
  } catch (err) {
    return SCENARIOS.map((s) => skipped(`start path (${s.label})`, 'berth', `failed: ${(err as Error).message.slice(0, 200)}`));
  } finally {
    await daemon.stop();
  }
}
