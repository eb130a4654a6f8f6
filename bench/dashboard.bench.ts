/**
 * The dashboard with 500 containers across two hosts (250 on a private
 * berthd, 250 on a private dockerd; created, not started, but for 5 tickers
 * per host): the time from opening the containers view in Chromium
 * (playwright-core with Debian's chromium, signed in already) to the table
 * showing all 500 rows, and the dashboard process's resident memory with
 * those containers and the containers view open in the browser, then with
 * 10 log streams held open as well (follow, 5 per host).
 * There is one subject, the dashboard; its rows have no berth/dockerd ratio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthClient } from '../src/client/index.js';
import { berthdSpec, dockerdSpec, startDaemon, type Daemon } from './lib/daemons.js';
import { median, skipped } from './lib/measure.js';
import { run as runCommand, sleep } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const CHROMIUM = '/usr/bin/chromium';
const PER_HOST = 250;
const TICKERS_PER_HOST = 5;
const PASSWORD = 'bench admin password';
const VIEW = `dashboard: containers view, ${PER_HOST * 2} containers on 2 hosts (open → table rendered)`;
const RSS = `dashboard: RSS, ${PER_HOST * 2} containers`;
const RSS_STREAMS = `dashboard: RSS, ${PER_HOST * 2} containers + ${TICKERS_PER_HOST * 2} open log streams`;
const SUBJECT = 'dashboard';
/** Settling time before a memory reading: the streams' first bursts and a GC cycle. */
const SETTLE_MS = 5000;

export async function run(ctx: BenchContext): Promise<Row[]> {
  if (!existsSync(CHROMIUM)) return [VIEW, RSS, RSS_STREAMS].map((b) => skipped(b, SUBJECT, `${CHROMIUM} is not installed`));
  const daemons: Daemon[] = [];
  let dashboard: ChildProcess | undefined;
  try {
    for (const spec of [berthdSpec(ctx.root), dockerdSpec()]) {
      const why = spec.unavailable();
      if (why) return [VIEW, RSS, RSS_STREAMS].map((b) => skipped(b, SUBJECT, why));
      daemons.push(await startDaemon(spec));
    }
    const names: Array<{ host: string; id: string }> = [];
    for (const [i, d] of daemons.entries()) {
      ctx.log(`creating ${PER_HOST} containers on ${d.subject}`);
      names.push(...(await populate(ctx, d, `h${i}`)));
    }
    const dir = daemons[0]!.dir;
    await writeFile(join(dir, 'hosts.yml'), daemons.map((d, i) => `- {name: h${i}, host: "${d.host}"}\n`).join(''));
    await writeFile(join(dir, 'admin-password'), PASSWORD, { mode: 0o600 });
    const started = await startDashboard(ctx, dir);
    dashboard = started.child;
    return await measure(ctx, started.url, started.child.pid!, names);
  } finally {
    if (dashboard && dashboard.exitCode === null) {
      const gone = new Promise((r) => dashboard!.once('exit', r));
      dashboard.kill('SIGTERM');
      await gone;
    }
    for (const d of daemons) {
      await removeContainers(d).catch((err: Error) => ctx.log(`removing the containers on ${d.subject}: ${err.message}`));
      await d.stop();
    }
  }
}

/** Stopping a daemon leaves running containers behind (the tickers): remove every container first. */
async function removeContainers(daemon: Daemon): Promise<void> {
  const client = new BerthClient({ host: daemon.host });
  try {
    const all = await client.listContainers({ all: true });
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((c) => client.removeContainer(c.Id, { force: true })));
  } finally {
    client.close();
  }
}

/** Busybox as bb:latest, PER_HOST containers (the tickers among them started); returns the tickers. */
async function populate(ctx: BenchContext, daemon: Daemon, hostName: string): Promise<Array<{ host: string; id: string }>> {
  const tar = join(daemon.dir, 'busybox.tar');
  await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [tar]);
  await runCommand('docker', ['-H', daemon.host, 'import', tar, 'bb:latest']);
  const client = new BerthClient({ host: daemon.host });
  const tickers: Array<{ host: string; id: string }> = [];
  try {
    const create = async (i: number) => {
      const ticker = i < TICKERS_PER_HOST;
      const cmd = ticker ? ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'] : ['true'];
      const { Id } = await client.createContainer({ Image: 'bb:latest', Cmd: cmd, HostConfig: { NetworkMode: 'none' }, NetworkingConfig: { EndpointsConfig: {} } }, { name: `bench-${i}` });
      if (ticker) {
        await client.startContainer(Id);
        tickers.push({ host: hostName, id: Id });
      }
    };
    // A few at a time: the engines are the bench's fixture, not its subject.
    for (let i = 0; i < PER_HOST; i += 8) await Promise.all(Array.from({ length: Math.min(8, PER_HOST - i) }, (_, k) => create(i + k)));
  } finally {
    client.close();
  }
  return tickers;
}

async function startDashboard(ctx: BenchContext, dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ctx.root, 'bin', 'berth'), 'dashboard', 'serve', '--addr', '127.0.0.1:0', '--data', join(dir, 'dashboard'),
    '--hosts', join(dir, 'hosts.yml'), '--admin-password-file', join(dir, 'admin-password')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  for (const s of [child.stdout!, child.stderr!]) s.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; i < 600; i++) {
    const url = /listening on (http:\/\/\S+),/.exec(log)?.[1];
    if (url) return { child, url };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new Error(`the dashboard did not start: ${log}`);
}

async function rssMiB(pid: number): Promise<number> {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

async function measure(ctx: BenchContext, url: string, pid: number, tickers: Array<{ host: string; id: string }>): Promise<Row[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const streams = new AbortController();
  try {
    const context = await browser.newContext();
    const login = await context.request.post(`${url}/api/login`, { data: { username: 'admin', password: PASSWORD } });
    if (!login.ok()) throw new Error(`login: ${login.status()} ${await login.text()}`);
    const total = PER_HOST * 2;
    const page = await context.newPage();
    // The dashboard has listed every host once before the first timed run.
    await page.goto(`${url}/#/containers`);
    await page.waitForFunction((n) => document.querySelectorAll('#container-table tbody tr').length === n, total, { timeout: 120_000 });
    const times: number[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      await page.goto('about:blank');
      const start = performance.now();
      await page.goto(`${url}/#/containers`);
      await page.waitForFunction((n) => document.querySelectorAll('#container-table tbody tr').length === n, total, { timeout: 120_000, polling: 'raf' });
      times.push(performance.now() - start);
    }
    // The containers view stays open while memory is read: its live socket and the usage poller are part of the load.
    const rows: Row[] = [{ bench: VIEW, subject: SUBJECT, median_ms: Math.round(median(times)), runs: ctx.runs, note: 'fresh page load, signed in: bundle, session, live snapshot, render' }];
    await sleep(SETTLE_MS);
    rows.push({ bench: RSS, subject: SUBJECT, median_ms: await rssMiB(pid), unit: 'MiB', runs: 1, note: 'containers view open' });
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    let bytes = 0;
    for (const t of tickers) void followLogs(`${url}/api/hosts/${t.host}/containers/${t.id}/logs?tail=100&follow=1`, cookie, streams.signal, (n) => (bytes += n));
    await sleep(SETTLE_MS);
    if (bytes === 0) throw new Error('the log streams sent nothing');
    rows.push({ bench: RSS_STREAMS, subject: SUBJECT, median_ms: await rssMiB(pid), unit: 'MiB', runs: 1, note: `containers view open, ${tickers.length} follows, ${Math.round(bytes / 1024)} KiB streamed meanwhile` });
    return rows;
  } finally {
    streams.abort();
    await browser.close();
  }
}

async function followLogs(url: string, cookie: string, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  try {
    const res = await fetch(url, { headers: { Cookie: cookie }, signal });
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) onBytes(chunk.length);
  } catch {
    // Aborted at the end of the bench.
  }
}
