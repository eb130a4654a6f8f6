/**
 * Container benchmarks, side by side: `run --rm busybox true` latency (the
 * docker CLI against each daemon, and the berth CLI against berthd), 50
 * `run -d` in parallel, 50 API clients cycling containers (bench/lib/cycle.ts),
 * `ps -a` with 200 containers, and the memory of the
 * daemon and of the per-container monitor (conmon for berth, containerd-shim
 * for dockerd) with 50 containers running. Every container uses
 * `--network none` on both sides, so no daemon sets up networking, except one
 * run --rm row on a bridge network: a user-defined one on both sides, since the
 * bench's dockerd has no default bridge (--bridge none, to stay off docker0).
 * BENCH_ONLY_RUN=1: only the run --rm rows (the start path, quickly);
 * BENCH_ONLY_PS=1: those and the ps rows.
 */
import { readFile, readdir } from 'node:fs/promises';
import { Agent, get as httpGet } from 'node:http';
import { join } from 'node:path';
import { benchSubnet, berthdSpec, dockerdSpec, startDaemon, type Daemon, type DaemonSpec } from './lib/daemons.js';
import { median, skipped, timeRuns } from './lib/measure.js';
import { run as runCommand } from './lib/proc.js';
import { cycleRows, STEPS } from './lib/cycle.js';
import type { BenchContext, Row } from './types.js';

const PARALLEL = 50;
const LISTED = 200;
const CYCLE_CLIENTS = 50;
const CYCLES_PER_CLIENT = 4;
const CYCLE_NAMES = {
  total: `containers: ${CYCLE_CLIENTS} API clients × ${CYCLES_PER_CLIENT} create→start→inspect→logs→stop→rm (total)`,
  step: (step: string) => `containers: ${CYCLE_CLIENTS} API clients cycling: ${step} p50`,
};
const BENCHES = {
  runDocker: 'containers: run --rm busybox true (docker CLI, --network none)',
  runDockerBridge: 'containers: run --rm busybox true (docker CLI, bridge network)',
  runBerth: 'containers: run --rm busybox true (berth CLI)',
  start: 'containers: start (a created container)',
  stop: 'containers: stop (PID 1 exits on SIGTERM)',
  rm: 'containers: rm (a stopped container)',
  parallel: `containers: ${PARALLEL} × run -d in parallel`,
  ps: `containers: ps -a with ${LISTED} containers`,
  psApi: `containers: GET /containers/json?all=1 with ${LISTED} containers (the daemon alone)`,
  daemonMem: `containers: daemon memory with ${PARALLEL} running`,
  monitorMem: 'containers: monitor memory per container',
  cycleTotal: CYCLE_NAMES.total,
  ...Object.fromEntries(STEPS.map((s) => [`cycle-${s}`, CYCLE_NAMES.step(s)])),
};

export async function run(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const spec of [dockerdSpec(), berthdSpec(ctx.root)]) rows.push(...(await benchSubject(ctx, spec)));
  return rows;
}

async function benchSubject(ctx: BenchContext, spec: DaemonSpec): Promise<Row[]> {
  const names = spec.subject === 'berth' ? Object.values(BENCHES) : Object.values(BENCHES).filter((b) => b !== BENCHES.runBerth);
  const unavailable = spec.unavailable();
  if (unavailable) return names.map((b) => skipped(b, spec.subject, unavailable));
  let daemon: Daemon;
  try {
    ctx.log(`starting ${spec.subject}…`);
    daemon = await startDaemon(spec);
  } catch (err) {
    return names.map((b) => skipped(b, spec.subject, (err as Error).message));
  }
  const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args]);
  try {
    const tar = join(daemon.dir, 'busybox.tar');
    await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [tar]);
    await docker('import', '-c', 'CMD ["sh"]', tar, 'busybox:latest');
    await docker('run', '--rm', '--network', 'none', 'busybox', 'true'); // warm caches
    const rows: Row[] = [];
    ctx.log(`${spec.subject}: run --rm ×${ctx.runs}`);
    rows.push(await timeRuns(BENCHES.runDocker, spec.subject, ctx.runs, { measure: () => docker('run', '--rm', '--network', 'none', 'busybox', 'true').then(() => undefined) }));
    rows.push(await runOnBridge(ctx, spec.subject, docker));
    if (spec.subject === 'berth') {
      // Run as a command, as a user runs it (its launcher is part of its time; see cli.bench.ts).
      const berth = (...args: string[]) => runCommand(join(ctx.root, 'bin', 'berth'), ['-H', daemon.host, ...args]);
      rows.push(await timeRuns(BENCHES.runBerth, spec.subject, ctx.runs, { measure: () => berth('run', '--rm', '--network', 'none', 'busybox', 'true').then(() => undefined) }));
    }
    if (process.env.BENCH_ONLY_RUN) return rows;
    const runParallel = () => Promise.all(Array.from({ length: PARALLEL }, () => docker('run', '-d', '--network', 'none', 'busybox', 'sleep', '600')));
    if (process.env.BENCH_ONLY_PS) {
      await runParallel();
      return [...rows, ...(await psRows(ctx, spec.subject, daemon, docker))];
    }
    rows.push(...(await lifecycleRows(ctx, spec.subject, docker)));
    ctx.log(`${spec.subject}: ${PARALLEL} run -d in parallel`);
    rows.push(await timeRuns(BENCHES.parallel, spec.subject, 1, { measure: () => runParallel().then(() => undefined) }));
    rows.push(...(await memoryRows(spec.subject, daemon)));
    ctx.log(`${spec.subject}: ${CYCLE_CLIENTS} API clients cycling containers`);
    rows.push(...(await cycleRows(spec.subject, daemon.host.replace(/^unix:\/\//, ''), { clients: CYCLE_CLIENTS, cyclesPerClient: CYCLES_PER_CLIENT, names: CYCLE_NAMES })));
    rows.push(...(await psRows(ctx, spec.subject, daemon, docker)));
    return rows;
  } catch (err) {
    return names.map((b) => skipped(b, spec.subject, `failed: ${(err as Error).message.slice(0, 200)}`));
  } finally {
    ctx.log(`stopping ${spec.subject}…`);
    // berthd leaves containers running when it stops (live restore): remove them first.
    const ids = (await docker('ps', '-aq').catch(() => '')).split('\n').filter(Boolean);
    for (let i = 0; i < ids.length; i += 50) await docker('rm', '-f', ...ids.slice(i, i + 50)).catch(() => undefined);
    await daemon.stop();
  }
}

/** `ps -a` with LISTED containers (the PARALLEL running ones and more created), through the docker CLI and at the API. */
async function psRows(ctx: BenchContext, subject: string, daemon: Daemon, docker: (...args: string[]) => Promise<string>): Promise<Row[]> {
  ctx.log(`${subject}: creating ${LISTED - PARALLEL} more containers, then ps -a ×${ctx.runs}`);
  for (let i = PARALLEL; i < LISTED; i++) await docker('create', '--network', 'none', 'busybox', 'true');
  const ps = await timeRuns(BENCHES.ps, subject, ctx.runs, { measure: () => docker('ps', '-a').then(() => undefined) });
  return [ps, await listRow(subject, daemon.host.replace(/^unix:\/\//, ''), ctx.runs)];
}

/**
 * `ps -a`'s request without the docker CLI around it (whose own start is most
 * of a `ps -a` on this host and the same for both daemons): GET
 * /containers/json?all=1 ten times per run over one kept-alive connection.
 */
async function listRow(subject: string, socketPath: string, runs: number): Promise<Row> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const list = () => new Promise<void>((resolve, reject) => {
    httpGet({ socketPath, path: '/v1.41/containers/json?all=1', agent }, (res) => {
      res.on('data', () => undefined).on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    }).on('error', reject);
  });
  try {
    await list(); // the connection, and the daemon's first answer
    const row = await timeRuns(BENCHES.psApi, subject, runs * 10, { measure: list });
    return { ...row, note: 'one kept-alive connection, no client start' };
  } finally {
    agent.destroy();
  }
}

/**
 * run --rm on a bridge network of its own (its subnet beside BENCH_BIP's, one
 * per daemon, so benches on other bridges are not in the way), removed after.
 */
async function runOnBridge(ctx: BenchContext, subject: string, docker: (...args: string[]) => Promise<string>): Promise<Row> {
  const network = 'benchrun';
  await docker('network', 'create', '--subnet', benchSubnet(subject === 'berth' ? 1 : 2), network);
  try {
    await docker('run', '--rm', '--network', network, 'busybox', 'true'); // warm up: the bridge's first endpoint
    return await timeRuns(BENCHES.runDockerBridge, subject, ctx.runs, { measure: () => docker('run', '--rm', '--network', network, 'busybox', 'true').then(() => undefined) });
  } finally {
    await docker('network', 'rm', network).catch(() => undefined);
  }
}

/**
 * start, stop and rm timed apart, one request each, as compose sends them
 * (compose up: create then start; down: stop then rm). The process is a shell
 * that exits on SIGTERM: as PID 1 a process without a handler ignores it (busybox
 * sleep does), and stop would then time the grace period, not the stop path.
 */
async function lifecycleRows(ctx: BenchContext, subject: string, docker: (...args: string[]) => Promise<string>): Promise<Row[]> {
  ctx.log(`${subject}: start / stop / rm ×${ctx.runs}`);
  const ids: string[] = [];
  const create = async () => {
    ids.push((await docker('create', '--network', 'none', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait')).trim());
  };
  const last = () => ids.at(-1)!;
  const start = await timeRuns(BENCHES.start, subject, ctx.runs, { before: create, measure: () => docker('start', last()).then(() => undefined) });
  // The containers started above, in the same order: each stop and rm gets its own container.
  let next = 0;
  const stop = await timeRuns(BENCHES.stop, subject, ctx.runs, { measure: () => docker('stop', ids[next++]!).then(() => undefined) });
  next = 0;
  const rm = await timeRuns(BENCHES.rm, subject, ctx.runs, { measure: () => docker('rm', ids[next++]!).then(() => undefined) });
  return [start, stop, rm];
}

/** The daemon's own memory, and the median memory of one container's monitor process (Pss, so shared pages count once). */
async function memoryRows(subject: string, daemon: Daemon): Promise<Row[]> {
  const processes = await processesMentioning(daemon.dir);
  const daemonPid = Number((await readFile(join(daemon.dir, 'daemon.pid'), 'utf8')).trim());
  const monitorName = subject === 'berth' ? 'conmon' : 'containerd-shim';
  const monitors = processes.filter((p) => p.cmdline.includes(monitorName));
  const mib = (kb: number) => Math.round((kb / 1024) * 100) / 100;
  let daemonKb = await pssKb(daemonPid);
  // dockerd's work is split with containerd; count it too, as it runs only for dockerd.
  for (const p of processes.filter((p) => /(^|\/)containerd( |$)/.test(p.cmdline))) daemonKb += await pssKb(p.pid);
  const perMonitor = await Promise.all(monitors.map((m) => pssKb(m.pid)));
  return [
    { bench: BENCHES.daemonMem, subject, median_ms: mib(daemonKb), runs: 1, unit: 'MiB', note: subject === 'dockerd' ? 'dockerd + containerd, Pss' : 'berthd, Pss' },
    {
      bench: BENCHES.monitorMem, subject, median_ms: perMonitor.length ? mib(median(perMonitor)) : null, runs: perMonitor.length, unit: 'MiB',
      note: `${monitorName} Pss, ${perMonitor.length} processes`,
    },
  ];
}

async function processesMentioning(text: string): Promise<{ pid: number; cmdline: string }[]> {
  const out: { pid: number; cmdline: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    if (cmdline.includes(text)) out.push({ pid: Number(entry), cmdline });
  }
  return out;
}

async function pssKb(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
}
