/**
 * `compose up -d` and `compose down -v` of a 10-service busybox project
 * (depends_on chains, two networks, two named volumes): berth compose against
 * docker-compose 1.29 (Debian's), both talking to one private berthd, then
 * both to one private dockerd, so each pair shares its daemon and the
 * difference is the compose tools'. Runs alternate between the two tools so
 * a machine whose load changes weighs on both alike. In the table the
 * subject "berth" is berth compose and "dockerd" docker-compose 1.29: the
 * ratio column is berth compose / docker-compose (the goal: at most 0.5).
 *
 * Then berth compose runs the same cycle again through a timing proxy
 * (lib/timing-proxy.ts), which gives the daemons' side (#15): the median time
 * of each container start, stop and rm request as compose sends them; in
 * those rows "berth" is berthd and "dockerd" dockerd, each from its own pass.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berthdSpec, dockerdSpec, onSubjectDaemon, type Daemon, type DaemonSpec } from './lib/daemons.js';
import { median, timed } from './lib/measure.js';
import { run as runCommand } from './lib/proc.js';
import { startTimingProxy } from './lib/timing-proxy.js';
import type { BenchContext, Row } from './types.js';

const DOCKER_COMPOSE = '/usr/bin/docker-compose';
const SERVICES = 10;
/** PID 1 waits on a child, so SIGTERM ends it at once: `down` times the tools, not a stop timeout. */
const IDLE = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

/**
 * s0 ← s1 ← … ← s4 and s0 ← s5 ← … ← s9 (two chains from one root); the even
 * services on `front`, the odd ones on `back`, s0 on both; a volume at each chain's head.
 */
export function benchProject(): string {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < SERVICES; i++) {
    const parent = i === 0 ? undefined : i === 5 ? 0 : i - 1;
    services[`s${i}`] = {
      image: 'busybox:latest',
      command: IDLE,
      networks: i === 0 ? ['front', 'back'] : [i % 2 === 0 ? 'front' : 'back'],
      ...(parent !== undefined ? { depends_on: [`s${parent}`] } : {}),
      ...(i === 0 ? { volumes: ['data:/data'] } : i === 5 ? { volumes: ['cache:/cache'] } : {}),
    };
  }
  return JSON.stringify({ version: '3.8', services, networks: { front: {}, back: {} }, volumes: { data: {}, cache: {} } }, null, 2);
}

interface Tool {
  subject: 'berth' | 'dockerd';
  note: string;
  compose(args: string[]): Promise<string>;
}

/** The requests whose times the daemon rows give, by the proxy's folded key. */
const DAEMON_REQUESTS: [string, string][] = [
  ['start', 'POST /containers/{}/start'],
  ['stop', 'POST /containers/{}/stop'],
  ['rm', 'DELETE /containers/{}'],
];

function requestBench(what: string): string {
  return `compose-driven container ${what} (p50 of berth compose's requests, up -d + down -v)`;
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const spec of [berthdSpec(ctx.root), dockerdSpec()]) {
    const names = benchNames(spec.subject === 'berth' ? 'berthd' : 'dockerd');
    const benches = [names.up, names.down, ...DAEMON_REQUESTS.map(([what]) => requestBench(what))];
    rows.push(...(await onSubjectDaemon(spec, benches, ctx.log, async (daemon) => [
      ...(await measureTools(ctx, spec, daemon)),
      ...(await measureRequests(ctx, spec, daemon)),
    ])));
  }
  return rows;
}

/** berth compose's cycle through the timing proxy, `ctx.runs` times: the daemon's own time per container request. */
async function measureRequests(ctx: BenchContext, spec: DaemonSpec, daemon: Daemon): Promise<Row[]> {
  const proxy = await startTimingProxy(join(daemon.dir, 'timing.sock'), daemon.host.replace(/^unix:\/\//, ''));
  const tool = berthCompose(ctx, proxy.host, join(daemon.dir, 'compose.json'));
  ctx.log(`compose on ${spec.subject}: berth compose through the timing proxy ×${ctx.runs}`);
  try {
    for (let i = 0; i < ctx.runs; i++) await cycle(tool);
  } finally {
    await tool.compose(['down', '-v', '-t', '0']).catch(() => undefined);
    await proxy.close();
  }
  return DAEMON_REQUESTS.map(([what, key]) => {
    const times = proxy.times().get(key) ?? [];
    return { bench: requestBench(what), subject: spec.subject, runs: times.length, median_ms: times.length ? Math.round(median(times)) : null, note: 'the daemon itself (berth = berthd), n = requests' };
  });
}

function berthCompose(ctx: BenchContext, host: string, file: string): Tool {
  return {
    subject: 'berth',
    note: 'berth compose',
    // As a user runs it: bin/berth, so through the launcher and its warm pool when built (the CLI bench does the same).
    compose: (args) => runCommand(join(ctx.root, 'bin', 'berth'), ['-H', host, 'compose', '-f', file, '-p', 'benchberth', ...args]),
  };
}

function benchNames(daemon: string): { up: string; down: string } {
  return { up: `compose: up -d, ${SERVICES} services (on ${daemon})`, down: `compose: down -v, ${SERVICES} services (on ${daemon})` };
}

async function measureTools(ctx: BenchContext, spec: DaemonSpec, daemon: Daemon): Promise<Row[]> {
  const names = benchNames(spec.subject === 'berth' ? 'berthd' : 'dockerd');
  if (!existsSync(DOCKER_COMPOSE)) throw new Error(`${DOCKER_COMPOSE} is not installed (apt-get install docker-compose)`);
  const file = join(daemon.dir, 'compose.json');
  await writeFile(file, benchProject());
  const tar = join(daemon.dir, 'busybox.tar');
  await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [tar]);
  await runCommand('docker', ['-H', daemon.host, 'import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']);
  // One project name each, so neither tool ever finds the other's containers.
  const tools: Tool[] = [
    berthCompose(ctx, daemon.host, file),
    {
      subject: 'dockerd',
      note: 'docker-compose 1.29, same daemon',
      compose: (args) => runCommand(DOCKER_COMPOSE, ['-f', file, '-p', 'benchdc', ...args], { env: { DOCKER_HOST: daemon.host } }),
    },
  ];
  const times = new Map(tools.map((t) => [t.subject, { up: [] as number[], down: [] as number[] }]));
  try {
    // Untimed once each: the daemon's caches and the tools' own (code cache, imports) are warm for both.
    for (const tool of tools) await cycle(tool);
    ctx.log(`compose on ${spec.subject}: up -d / down -v ×${ctx.runs} each, alternating`);
    for (let i = 0; i < ctx.runs; i++) {
      for (const tool of tools) {
        const [up, down] = await cycle(tool);
        times.get(tool.subject)!.up.push(up);
        times.get(tool.subject)!.down.push(down);
      }
    }
  } finally {
    for (const tool of tools) await tool.compose(['down', '-v', '-t', '0']).catch(() => undefined);
  }
  return tools.flatMap((tool) => {
    const t = times.get(tool.subject)!;
    return [row(names.up, tool.subject, t.up, tool.note), row(names.down, tool.subject, t.down, tool.note)];
  });
}

/** One `up -d` then `down -v`, timed apart. */
async function cycle(tool: Tool): Promise<[number, number]> {
  const up = await timed(() => tool.compose(['up', '-d']));
  const down = await timed(() => tool.compose(['down', '-v']));
  return [up, down];
}

function row(bench: string, subject: string, times: number[], note: string): Row {
  return { bench, subject, note, runs: times.length, median_ms: Math.round(median(times)) };
}
