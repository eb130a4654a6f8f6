/**
 * The userland proxy alone, side by side and interleaved: dockerd's
 * docker-proxy and berth's proxy (UserlandProxy from dist, in a node process
 * of its own) forward 127.0.0.1 ports to the same busybox httpd in a container
 * of a private dockerd, and the 64 MiB fetches alternate between the two, so
 * that load from elsewhere on the host hits both alike (network.bench.ts
 * measures one daemon after the other). Two rows: wall time of a fetch and
 * CPU time the proxy process spends on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerdSpec, startDaemon } from './lib/daemons.js';
import { median, skipped } from './lib/measure.js';
import { run as runCommand, sleep } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const FILE_MIB = 64;
const BENCHES = {
  wall: `proxy: fetch ${FILE_MIB} MiB via 127.0.0.1, proxy alone, interleaved (docker-proxy vs berth)`,
  cpu: `proxy: CPU of the proxy process per ${FILE_MIB} MiB fetch`,
};
const PORTS = { dockerd: 38431, berth: 38432 } as const;

export async function run(ctx: BenchContext): Promise<Row[]> {
  const spec = dockerdSpec();
  const unavailable = spec.unavailable();
  if (unavailable) return both(unavailable);
  const daemon = await startDaemon(spec);
  const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args]);
  const proxies: ChildProcess[] = [];
  let www = '';
  try {
    www = await mkdtemp(join(tmpdir(), 'berth-bench-proxy-'));
    await writeFile(join(www, 'big'), Buffer.alloc(FILE_MIB << 20, 7));
    await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [join(daemon.dir, 'busybox.tar')]);
    await docker('import', '-c', 'CMD ["sh"]', join(daemon.dir, 'busybox.tar'), 'busybox:latest');
    await docker('network', 'create', '--subnet', '172.30.248.0/24', 'proxybench');
    await docker('run', '-d', '--name', 'web', '--network', 'proxybench', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-h', '/www');
    const ip = (await docker('inspect', '-f', '{{.NetworkSettings.Networks.proxybench.IPAddress}}', 'web')).trim();
    // docker-proxy reports readiness on fd 3, as dockerd runs it.
    proxies.push(spawn('/usr/sbin/docker-proxy', ['-proto', 'tcp', '-host-ip', '127.0.0.1', '-host-port', String(PORTS.dockerd), '-container-ip', ip, '-container-port', '80'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] }));
    const script = `import(${JSON.stringify(join(ctx.root, 'dist', 'src', 'engine', 'network', 'proxy.js'))}).then(({ UserlandProxy }) =>
      new UserlandProxy(true, [49153, 60999]).publish([{ protocol: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPorts: [${PORTS.berth}, ${PORTS.berth}] }], ${JSON.stringify(ip)}));`;
    proxies.push(spawn(process.execPath, ['-e', script], { stdio: 'ignore' }));
    const subjects = [{ subject: 'dockerd', port: PORTS.dockerd, pid: proxies[0]!.pid! }, { subject: 'berth', port: PORTS.berth, pid: proxies[1]!.pid! }];
    for (const s of subjects) await waitForHttp(`http://127.0.0.1:${s.port}/big`);
    ctx.log(`proxy: ${ctx.runs} interleaved fetches each`);
    const wall = new Map<string, number[]>(subjects.map((s) => [s.subject, []]));
    const cpu = new Map<string, number[]>(subjects.map((s) => [s.subject, []]));
    for (let i = 0; i < ctx.runs; i++) {
      for (const s of subjects) {
        const cpuBefore = await cpuMs(s.pid);
        const start = performance.now();
        await fetchAll(`http://127.0.0.1:${s.port}/big`);
        wall.get(s.subject)!.push(performance.now() - start);
        cpu.get(s.subject)!.push((await cpuMs(s.pid)) - cpuBefore);
      }
    }
    const note = 'docker-proxy run by hand as dockerd runs it';
    return subjects.flatMap((s) => [
      { bench: BENCHES.wall, subject: s.subject, median_ms: Math.round(median(wall.get(s.subject)!) * 10) / 10, runs: ctx.runs, ...(s.subject === 'dockerd' ? { note } : {}) },
      { bench: BENCHES.cpu, subject: s.subject, median_ms: median(cpu.get(s.subject)!), unit: 'ms CPU', runs: ctx.runs },
    ]);
  } catch (err) {
    return both(`failed: ${(err as Error).message.slice(0, 200)}`);
  } finally {
    for (const p of proxies) p.kill();
    await docker('rm', '-f', 'web').catch(() => undefined);
    await docker('network', 'rm', 'proxybench').catch(() => undefined);
    await daemon.stop();
    if (www) await rm(www, { recursive: true, force: true });
  }
}

function both(reason: string): Row[] {
  return Object.values(BENCHES).flatMap((b) => [skipped(b, 'dockerd', reason), skipped(b, 'berth', reason)]);
}

/** utime + stime of a process, in ms (clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function fetchAll(url: string): Promise<void> {
  const body = await (await fetch(url)).arrayBuffer();
  if (body.byteLength !== FILE_MIB << 20) throw new Error(`short read from ${url}: ${body.byteLength} bytes`);
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await fetch(url, { method: 'HEAD' }).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`nothing answered on ${url}`);
}
