/**
 * Networking benchmarks, side by side: the cost a network adds to
 * `run --rm busybox true` (a bridge network vs none) and throughput through a
 * published port (a 64 MiB file served by busybox httpd, fetched from
 * 127.0.0.1, i.e. through each daemon's userland proxy). For berth also the
 * iptables path: the same fetch to the container's published port via the
 * bridge's gateway address (DNAT). And the embedded DNS server: 1000 lookups
 * of a container's name from inside another container, one after the other,
 * to 127.0.0.11 (timed inside a small client run in the container's netns, so
 * process start-ups do not blur the latency). dockerd runs with --bridge none and
 * --iptables=false so it never touches the host's docker0 or iptables; it gets
 * a user-defined bridge network instead, which it removes itself.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthdSpec, dockerdSpec, startDaemon, type Daemon, type DaemonSpec } from './lib/daemons.js';
import { median, skipped, timeRuns } from './lib/measure.js';
import { run as runCommand } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const FILE_MIB = 64;
const DNS_LOOKUPS = 1000;
const BENCHES = {
  none: 'network: run --rm busybox true (--network none)',
  bridge: 'network: run --rm busybox true (bridge network)',
  proxy: `network: fetch ${FILE_MIB} MiB via published port, 127.0.0.1 (userland proxy)`,
  dnat: `network: fetch ${FILE_MIB} MiB via published port, gateway address (iptables DNAT)`,
  dns: `network: ${DNS_LOOKUPS} DNS lookups of a container name from inside a container (127.0.0.11)`,
};

export async function run(ctx: BenchContext): Promise<Row[]> {
  const www = await mkdtemp(join(tmpdir(), 'berth-bench-www-'));
  try {
    await writeFile(join(www, 'big'), Buffer.alloc(FILE_MIB << 20, 7));
    const rows: Row[] = [];
    for (const spec of [dockerdSpec(), berthdSpec(ctx.root)]) rows.push(...(await benchSubject(ctx, spec, www)));
    return rows;
  } finally {
    await rm(www, { recursive: true, force: true });
  }
}

async function benchSubject(ctx: BenchContext, spec: DaemonSpec, www: string): Promise<Row[]> {
  const unavailable = spec.unavailable();
  if (unavailable) return Object.values(BENCHES).map((b) => skipped(b, spec.subject, unavailable));
  let daemon: Daemon;
  try {
    daemon = await startDaemon(spec);
  } catch (err) {
    return Object.values(BENCHES).map((b) => skipped(b, spec.subject, (err as Error).message));
  }
  const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args]);
  const network = 'benchnet';
  try {
    const tar = join(daemon.dir, 'busybox.tar');
    await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [tar]);
    await docker('import', '-c', 'CMD ["sh"]', tar, 'busybox:latest');
    await docker('network', 'create', '--subnet', spec.subject === 'berth' ? '172.30.250.0/24' : '172.30.251.0/24', network);
    await docker('run', '--rm', '--network', network, 'busybox', 'true'); // warm up
    const rows: Row[] = [];
    ctx.log(`${spec.subject}: run --rm with and without a network ×${ctx.runs}`);
    rows.push(await timeRuns(BENCHES.none, spec.subject, ctx.runs, { measure: () => docker('run', '--rm', '--network', 'none', 'busybox', 'true').then(() => undefined) }));
    rows.push(await timeRuns(BENCHES.bridge, spec.subject, ctx.runs, { measure: () => docker('run', '--rm', '--network', network, 'busybox', 'true').then(() => undefined) }));
    const port = spec.subject === 'berth' ? 38181 : 38182;
    await docker('run', '-d', '--name', 'benchweb', '--network', network, '-p', `${port}:80`, '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-h', '/www');
    await waitForHttp(`http://127.0.0.1:${port}/big`);
    ctx.log(`${spec.subject}: fetch ${FILE_MIB} MiB ×${ctx.runs}`);
    rows.push(await timeRuns(BENCHES.proxy, spec.subject, ctx.runs, { measure: () => fetchAll(`http://127.0.0.1:${port}/big`) }));
    ctx.log(`${spec.subject}: ${DNS_LOOKUPS} DNS lookups ×${ctx.runs}`);
    await docker('run', '-d', '--name', 'benchdns', '--network', network, 'busybox', 'sleep', '600');
    const pid = (await docker('inspect', '-f', '{{.State.Pid}}', 'benchdns')).trim();
    rows.push(await timeLookups(ctx.runs, spec.subject, pid, 'benchweb').catch((err: Error) => skipped(BENCHES.dns, spec.subject, `failed: ${err.message.slice(0, 200)}`)));
    if (spec.subject === 'berth') {
      const gateway = (await docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', network)).trim();
      rows.push(await timeRuns(BENCHES.dnat, spec.subject, ctx.runs, { measure: () => fetchAll(`http://${gateway}:${port}/big`) }));
    } else {
      rows.push(skipped(BENCHES.dnat, spec.subject, 'runs with --iptables=false here (no DNAT), to leave the host\'s iptables alone'));
    }
    return rows;
  } catch (err) {
    return Object.values(BENCHES).map((b) => skipped(b, spec.subject, `failed: ${(err as Error).message.slice(0, 200)}`));
  } finally {
    await docker('rm', '-f', 'benchweb', 'benchdns').catch(() => undefined);
    await docker('network', 'rm', network).catch(() => undefined);
    await daemon.stop();
  }
}

/**
 * Sequential A queries for `name` to 127.0.0.11 from the netns of process
 * `pid`; prints the milliseconds they took. Every answer must carry an address.
 */
const LOOKUP_CLIENT = `
const [name, count] = [process.argv[1], Number(process.argv[2])];
const socket = require('node:dgram').createSocket('udp4');
const qname = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0, 0, 1, 0, 1])]);
const query = (id) => { const h = Buffer.alloc(12); h.writeUInt16BE(id, 0); h.writeUInt16BE(0x100, 2); h.writeUInt16BE(1, 4); return Buffer.concat([h, qname]); };
let i = 0;
const start = performance.now();
socket.on('message', (m) => {
  if (m.readUInt16BE(0) !== i) return;
  if ((m.readUInt16BE(2) & 0xf) !== 0 || m.readUInt16BE(6) < 1) { console.error('no address for ' + name); process.exit(1); }
  if (++i === count) { console.log(performance.now() - start); socket.close(); return; }
  socket.send(query(i), 53, '127.0.0.11');
});
socket.send(query(0), 53, '127.0.0.11');
setTimeout(() => { console.error('no answer to query ' + i); process.exit(1); }, 60000).unref();
`;

async function timeLookups(runs: number, subject: string, pid: string, name: string): Promise<Row> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(Number(await runCommand('nsenter', ['-n', '-t', pid, process.execPath, '-e', LOOKUP_CLIENT, name, String(DNS_LOOKUPS)])));
  }
  return { bench: BENCHES.dns, subject, median_ms: Math.round(median(times) * 10) / 10, runs, note: `${DNS_LOOKUPS} in a row, UDP` };
}

async function fetchAll(url: string): Promise<void> {
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  if (body.byteLength !== FILE_MIB << 20) throw new Error(`short read from ${url}: ${body.byteLength} bytes`);
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await fetch(url, { method: 'HEAD' }).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered on ${url}`);
}
