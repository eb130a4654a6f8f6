/**
 * The berth CLI against the docker CLI, both talking to one private berthd,
 * so the daemon's time is the same for both and the difference is the CLIs'.
 * Runs alternate between the two (berth, docker, berth, …) so a machine whose
 * load changes during the bench weighs on both alike. In the table the
 * subject "berth" is the berth CLI and "dockerd" the docker CLI: the ratio
 * column is berth CLI / docker CLI.
 *
 * Each timed command starts PAUSE_MS after the one before, as a person's
 * commands do: the berth CLI's pool starts a replacement worker (~150 ms of
 * CPU) once a command ends, and back to back that start would land on
 * whichever command came next, the docker CLI's included. Commands run
 * back to back are measured by hand in bench/README.md.
 */
import { join } from 'node:path';
import { berthdSpec, onSubjectDaemon, type Daemon } from './lib/daemons.js';
import { median } from './lib/measure.js';
import { run as runCommand, sleep } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

/** Between two timed commands: enough for the pool's replacement worker to start and warm up. */
const PAUSE_MS = 1000;

const COMMANDS: Record<string, string[]> = {
  'cli: run --rm busybox true (same berthd)': ['run', '--rm', '--network', 'none', 'busybox', 'true'],
  'cli: version (same berthd)': ['version'],
  'cli: ps -a (same berthd)': ['ps', '-a'],
  'cli: images (same berthd)': ['images'],
};

export async function run(ctx: BenchContext): Promise<Row[]> {
  return onSubjectDaemon(berthdSpec(ctx.root), Object.keys(COMMANDS), ctx.log, (daemon) => measureClis(ctx, daemon));
}

async function measureClis(ctx: BenchContext, daemon: Daemon): Promise<Row[]> {
  // Run as a command, as a user runs it (and the docker CLI here): its launcher is part of its time.
  const berth = (args: string[]) => runCommand(join(ctx.root, 'bin', 'berth'), ['-H', daemon.host, ...args]);
  const docker = (args: string[]) => runCommand('docker', ['-H', daemon.host, ...args]);
  const tar = join(daemon.dir, 'busybox.tar');
  await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [tar]);
  await docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']);
  const rows: Row[] = [];
  for (const [bench, args] of Object.entries(COMMANDS)) {
    // Untimed once each: the daemon's caches, and the berth CLI's code cache, are warm for both.
    await berth(args);
    await docker(args);
    ctx.log(`cli: ${args.join(' ')} ×${ctx.runs} each, alternating`);
    const times = { berth: [] as number[], dockerd: [] as number[] };
    for (let i = 0; i < ctx.runs; i++) {
      await sleep(PAUSE_MS);
      times.berth.push(await timed(() => berth(args)));
      await sleep(PAUSE_MS);
      times.dockerd.push(await timed(() => docker(args)));
    }
    rows.push(row(bench, 'berth', times.berth, 'the berth CLI'));
    rows.push(row(bench, 'dockerd', times.dockerd, 'the docker CLI, same berthd'));
  }
  return rows;
}

async function timed(command: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await command();
  return performance.now() - start;
}

function row(bench: string, subject: string, times: number[], note: string): Row {
  return { bench, subject, median_ms: Math.round(median(times) * 10) / 10, runs: times.length, note };
}
