/**
 * Registry benchmarks: berth registry against Debian's docker-registry
 * (distribution 2.8), the same client for both, side by side in one run.
 *
 * - push and pull of a ~200 MB image with skopeo (OCI layout → registry, and
 *   registry → `dir:`). The layer is the Debian rootfs tar gzipped at level 0
 *   (stored blocks), so ~200 MB really cross the wire and skopeo need not
 *   recompress anything; each push goes to a fresh, empty registry root.
 * - the server's peak RSS during each push and pull (VmHWM, reset through
 *   /proc/<pid>/clear_refs just before the transfer, read right after it),
 *   and the CPU time the server used for it.
 * - many small concurrent blob GETs (1 KiB blobs, 32 at a time, keep-alive).
 *
 * The table's ratio column compares with dockerd; here the note gives berth/distribution.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { registerCleanup } from './lib/cleanup.js';
import { debianRootfsTar, debianUnavailable } from './lib/debian.js';
import { median, skipped, timeRuns, type TimedRuns } from './lib/measure.js';
import { removeTree, run as runCommand, sleep, stopPid } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const SKOPEO = '/usr/bin/skopeo';
const DISTRIBUTION = '/usr/bin/docker-registry';
const SMALL_BLOBS = 1000;
const SMALL_BLOB_BYTES = 1024;
const CONCURRENCY = 32;

interface Subject {
  subject: string;
  unavailable(): string | undefined;
  /** Starts a registry on 127.0.0.1:port with an empty root. */
  start(root: string, port: number, log: string): Promise<ChildProcess>;
}

function subjects(repoRoot: string): Subject[] {
  return [
    {
      subject: 'berth',
      unavailable: () => undefined,
      start: async (root, port, log) =>
        spawnLogged(process.execPath, [join(repoRoot, 'bin', 'berth'), 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', root], log),
    },
    {
      subject: 'distribution',
      unavailable: () => (existsSync(DISTRIBUTION) ? undefined : 'docker-registry (Debian) not installed'),
      start: async (root, port, log) => {
        const config = `${root}.yml`;
        await writeFile(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${root}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
        return spawnLogged(DISTRIBUTION, ['serve', config], log);
      },
    },
  ];
}

function spawnLogged(command: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const names: Names = {
    push: 'registry: skopeo push (~200 MB image)',
    pushRss: 'registry: server peak RSS during push',
    pushCpu: 'registry: server CPU time during push',
    pull: 'registry: skopeo pull (~200 MB image)',
    pullRss: 'registry: server peak RSS during pull',
    pullCpu: 'registry: server CPU time during pull',
    small: `registry: ${SMALL_BLOBS} x 1 KiB blob GETs, ${CONCURRENCY} concurrent`,
  };
  const all = subjects(ctx.root);
  const why = !existsSync(SKOPEO) ? 'skopeo not installed' : debianUnavailable();
  if (why) return all.flatMap((s) => Object.values(names).map((b) => skipped(b, s.subject, why)));
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-registry-'));
  const unregister = registerCleanup(`temp dir ${work}`, () => removeTree(work));
  try {
    const layout = join(work, 'layout');
    const megabytes = await makeLayout(await debianRootfsTar(ctx.log), layout);
    names.push = `registry: skopeo push (${megabytes} MB image)`;
    names.pull = `registry: skopeo pull (${megabytes} MB image)`;
    const rows: Row[] = [];
    const registries: Registry[] = [];
    for (const s of all) {
      const reason = s.unavailable();
      if (reason) rows.push(...Object.values(names).map((b) => skipped(b, s.subject, reason)));
      else registries.push(new Registry(s, join(work, s.subject), 20000 + Math.floor(Math.random() * 20000)));
    }
    const unregisterAll = registerCleanup('registries', () => Promise.all(registries.map((r) => r.stop())).then(() => undefined));
    try {
      rows.push(...(await benchAll(ctx, registries, work, layout, names)));
    } finally {
      unregisterAll();
      await Promise.all(registries.map((r) => r.stop()));
    }
    return withRatios(rows);
  } finally {
    unregister();
    await removeTree(work);
  }
}

interface Names {
  push: string;
  pushRss: string;
  pushCpu: string;
  pull: string;
  pullRss: string;
  pullCpu: string;
  small: string;
}

/**
 * Push and pull run subject after subject within each run (the order turning
 * round every run), so a change in the machine's load hits both alike.
 */
async function benchAll(ctx: BenchContext, registries: Registry[], work: string, layout: string, names: Names): Promise<Row[]> {
  const rows: Row[] = [];
  ctx.log('push (subjects interleaved)');
  rows.push(...(await measureTransfers([names.push, names.pushRss, names.pushCpu], ctx.runs, registries, (r) => ({
    before: () => r.restartEmpty(),
    measure: async () => void (await runCommand(SKOPEO, ['--insecure-policy', 'copy', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://127.0.0.1:${r.port}/bench/debian:1`])),
  }))));
  ctx.log('pull (subjects interleaved)');
  const pulled = join(work, 'pulled');
  rows.push(...(await measureTransfers([names.pull, names.pullRss, names.pullCpu], ctx.runs, registries, (r) => ({
    before: async () => {
      await rm(pulled, { recursive: true, force: true });
      await mkdir(pulled);
    },
    measure: async () => void (await runCommand(SKOPEO, ['--insecure-policy', 'copy', '--src-tls-verify=false', `docker://127.0.0.1:${r.port}/bench/debian:1`, `dir:${pulled}`])),
  }))));
  for (const r of registries) {
    ctx.log(`${r.subject}: small blob GETs`);
    const digests = await pushSmallBlobs(r.port);
    rows.push(await timeRuns(names.small, r.subject, ctx.runs, { measure: () => getAll(r.port, digests) }));
  }
  return rows;
}

/**
 * Times each run like timeRuns and also takes the server's peak RSS and the
 * CPU time it used during the run (user + system: on a loaded machine the
 * steadiest measure of the server's own cost). Three rows of medians per subject.
 */
async function measureTransfers(benches: [string, string, string], runs: number, registries: Registry[], steps: (r: Registry) => TimedRuns): Promise<Row[]> {
  const samples = new Map(registries.map((r) => [r, { times: [] as number[], peaks: [] as number[], cpu: [] as number[] }]));
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? registries : [...registries].reverse();
    for (const r of order) {
      const { before, measure } = steps(r);
      const mine = samples.get(r)!;
      await before?.();
      await r.resetPeakRss();
      const cpuBefore = await r.cpuMs();
      const start = performance.now();
      await measure();
      mine.times.push(performance.now() - start);
      mine.cpu.push((await r.cpuMs()) - cpuBefore);
      mine.peaks.push(await r.peakRssMiB());
    }
  }
  return [...samples].flatMap(([r, { times, peaks, cpu }]) => [
    { bench: benches[0], subject: r.subject, median_ms: Math.round(median(times)), runs },
    { bench: benches[1], subject: r.subject, median_ms: Math.round(median(peaks) * 10) / 10, unit: 'MiB', runs },
    { bench: benches[2], subject: r.subject, median_ms: Math.round(median(cpu)), runs },
  ]);
}

/** One registry process; restartEmpty() gives it a fresh root, so every push uploads every blob. */
class Registry {
  private child?: ChildProcess;

  /** Makes VmHWM start again from the current RSS ("5" in clear_refs, Linux ≥ 4.0). */
  async resetPeakRss(): Promise<void> {
    await writeFile(`/proc/${this.pid()}/clear_refs`, '5');
  }

  async peakRssMiB(): Promise<number> {
    const status = await readFile(`/proc/${this.pid()}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (!kb) throw new Error(`no VmHWM in /proc/${this.pid()}/status`);
    return Number(kb[1]) / 1024;
  }

  /** utime + stime from /proc/<pid>/stat, in ms (clock ticks are 10 ms on Linux). */
  async cpuMs(): Promise<number> {
    const stat = await readFile(`/proc/${this.pid()}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  private pid(): number {
    if (!this.child?.pid || this.child.exitCode !== null) throw new Error(`${this.s.subject} registry is not running`);
    return this.child.pid;
  }

  constructor(private readonly s: Subject, private readonly dir: string, readonly port: number) {}

  get subject(): string {
    return this.s.subject;
  }

  async restartEmpty(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
    this.child = await this.s.start(join(this.dir, 'root'), this.port, join(this.dir, '..', `${this.s.subject}.log`));
    for (let i = 0; i < 200; i++) {
      if (await answers(this.port)) return;
      if (this.child.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`${this.s.subject} registry did not start (see ${this.s.subject}.log)`);
  }

  async stop(): Promise<void> {
    if (this.child?.pid && this.child.exitCode === null) await stopPid(this.child.pid, 10_000);
    this.child = undefined;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/v2/' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** An OCI layout holding the rootfs as one level-0 gzip layer; returns the image size in MB. */
async function makeLayout(rootfsTar: string, dir: string): Promise<number> {
  const tar = await readFile(rootfsTar);
  const layer = gzipSync(tar, { level: 0 });
  const digest = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digest(tar)] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(layer), size: layer.length }],
  }));
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [layer, config, manifest]) await writeFile(join(dir, 'blobs', 'sha256', digest(blob).slice(7)), blob);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }],
  }));
  return Math.round((await stat(join(dir, 'blobs', 'sha256', digest(layer).slice(7)))).size / 1e6);
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function call(port: number, method: string, path: string, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function pushSmallBlobs(port: number): Promise<string[]> {
  const digests: string[] = [];
  for (let i = 0; i < SMALL_BLOBS; i++) {
    const blob = Buffer.alloc(SMALL_BLOB_BYTES, i % 251);
    blob.writeUInt32BE(i, 0);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    // POST then PUT: the upload flow both registries support.
    const location = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v2/bench/small/blobs/uploads/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers.location)));
      });
      req.on('error', reject);
      req.end();
    });
    const path = new URL(location, `http://127.0.0.1:${port}`);
    path.searchParams.set('digest', digest);
    const status = await call(port, 'PUT', `${path.pathname}${path.search}`, blob);
    if (status !== 201) throw new Error(`small blob upload: ${status}`);
    digests.push(digest);
  }
  return digests;
}

async function getAll(port: number, digests: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < digests.length) {
      const status = await call(port, 'GET', `/v2/bench/small/blobs/${digests[next++]}`);
      if (status !== 200) throw new Error(`blob GET: ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Notes berth's time (or memory) over distribution's on each berth row (below 1: berth is faster or smaller). */
function withRatios(rows: Row[]): Row[] {
  for (const row of rows.filter((r) => r.subject === 'berth')) {
    const other = rows.find((r) => r.bench === row.bench && r.subject === 'distribution')?.median_ms;
    if (row.median_ms != null && other) row.note = `berth/distribution ${(row.median_ms / other).toFixed(2)}`;
  }
  return rows;
}
