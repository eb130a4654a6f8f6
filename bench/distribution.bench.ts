/**
 * Registry client benchmarks: `docker push` and `docker pull` of a ~200 MB
 * Debian image through a private dockerd and a private berthd, side by side,
 * against one local registry (Debian's docker-registry, distribution 2.8, on
 * loopback, plain HTTP as both daemons allow for 127.0.0.0/8).
 *
 * - push: the registry starts empty before each run, so every layer is
 *   compressed and uploaded (nothing to HEAD or mount).
 * - pull: the image is removed locally before each run (rmi frees its layers),
 *   so every layer is downloaded, verified and unpacked.
 * - disk: du of each daemon's data root after the last pull, with that one
 *   image in it (berth keeps each layer once: its files plus tar-split metadata).
 * - extraction floor: GNU tar (C, one syscall per step, no daemon) extracting
 *   the same layer, uncompressed, into the same filesystem: what creating the
 *   image's files costs the kernel, which no pull can go under.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spreadSubtrees } from '../src/platform/linux/spread-subtrees.js';
import { registerCleanup } from './lib/cleanup.js';
import { berthdSpec, dockerdSpec, onSubjectDaemon, type DaemonSpec } from './lib/daemons.js';
import { debianRootfsTar, debianUnavailable } from './lib/debian.js';
import { skipped, timeRuns } from './lib/measure.js';
import { removeTree, run as runCommand, sleep, stopPid } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const DISTRIBUTION = '/usr/bin/docker-registry';

interface Names {
  push: string;
  pull: string;
  disk: string;
  floor: string;
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const specs = [dockerdSpec(), berthdSpec(ctx.root)];
  const why = existsSync(DISTRIBUTION) ? debianUnavailable() : 'docker-registry (Debian) not installed';
  if (why) return specs.flatMap((s) => Object.values(benchNames('debian')).map((b) => skipped(b, s.subject, why)));
  const rootfsTar = await debianRootfsTar(ctx.log);
  const names = benchNames(`debian ${Math.round((await stat(rootfsTar)).size / 1e6)} MB`);
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-distribution-'));
  const unregister = registerCleanup(`temp dir ${work}`, () => removeTree(work));
  const registry = new LocalRegistry(work, await freePort());
  const unregisterRegistry = registerCleanup('bench registry', () => registry.stop());
  try {
    const rows: Row[] = [];
    for (const spec of specs) rows.push(...(await benchSubject(ctx, spec, registry, rootfsTar, names)));
    rows.push(await extractionFloor(ctx, work, rootfsTar, names.floor));
    return rows;
  } finally {
    unregisterRegistry();
    await registry.stop();
    unregister();
    await removeTree(work);
  }
}

function benchNames(image: string): Names {
  return {
    push: `distribution: docker push (${image})`,
    pull: `distribution: docker pull (${image})`,
    disk: `distribution: disk used by the pulled image (${image})`,
    floor: `distribution: extraction floor, tar -x of the uncompressed layer (${image})`,
  };
}

async function benchSubject(ctx: BenchContext, spec: DaemonSpec, registry: LocalRegistry, rootfsTar: string, names: Names): Promise<Row[]> {
  return onSubjectDaemon(spec, [names.push, names.pull, names.disk], ctx.log, async (daemon) => {
    const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args]);
    const image = `127.0.0.1:${registry.port}/bench/${spec.subject}:1`;
    ctx.log(`${spec.subject}: importing ${rootfsTar}…`);
    await docker('import', rootfsTar, image);
    ctx.log(`${spec.subject}: push`);
    const push = await timeRuns(names.push, spec.subject, ctx.runs, {
      before: () => registry.restartEmpty(),
      measure: async () => void (await docker('push', image)),
    });
    ctx.log(`${spec.subject}: pull`);
    const pull = await timeRuns(names.pull, spec.subject, ctx.runs, {
      before: async () => void (await docker('rmi', image)),
      measure: async () => void (await docker('pull', image)),
    });
    return [push, pull, await diskRow(names.disk, spec.subject, daemon.dir)];
  });
}

/**
 * What one pulled image costs on disk: the daemon's whole data root after the
 * last pull (the image is the only one there), as du counts allocated blocks.
 */
async function diskRow(bench: string, subject: string, daemonDir: string): Promise<Row> {
  const out = await runCommand('du', ['-sk', join(daemonDir, 'data')]);
  const kib = Number(out.trim().split(/\s+/)[0]);
  return { bench, subject, median_ms: Math.round(kib / 102.4) / 10, unit: 'MiB', runs: 1, note: 'du -sk of the data root after the pull' };
}

/**
 * GNU tar extracting the layer as root would (owners, modes, xattrs) into a
 * fresh directory beside the daemons' data roots, after a sync so that no
 * earlier run's writeback is counted: the kernel's share of a pull. Each run
 * goes into a new directory under one marked as berth marks its layer store
 * (spreadSubtrees): otherwise, on ext4 without a journal, the files the run
 * before deleted slow this one's inode allocation several times over.
 */
async function extractionFloor(ctx: BenchContext, work: string, rootfsTar: string, bench: string): Promise<Row> {
  const parent = join(work, 'tar-floor');
  await mkdir(parent);
  spreadSubtrees(parent);
  let run = 0;
  let dest = '';
  ctx.log('extraction floor: tar -x');
  const row = await timeRuns(bench, 'gnu-tar', ctx.runs, {
    before: async () => {
      if (dest !== '') await removeTree(dest);
      dest = join(parent, `run-${run++}`);
      await mkdir(dest);
      await runCommand('sync', []);
    },
    measure: async () => void (await runCommand('tar', ['-xf', rootfsTar, '-C', dest, '--numeric-owner', '--xattrs', "--xattrs-include=*", '-p'])),
  });
  await removeTree(parent);
  return { ...row, note: 'GNU tar -x of the same layer, uncompressed, on the same filesystem (no download, no gunzip)' };
}

/** distribution 2.8 on 127.0.0.1:port; restartEmpty() gives it a fresh root. */
class LocalRegistry {
  private child?: ChildProcess;
  private generation = 0;

  constructor(private readonly work: string, readonly port: number) {}

  async restartEmpty(): Promise<void> {
    await this.stop();
    const root = join(this.work, `registry-${this.generation++}`);
    const config = `${root}.yml`;
    await writeFile(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${root}\nhttp:\n  addr: 127.0.0.1:${this.port}\n`);
    const log = openSync(join(this.work, 'registry.log'), 'a');
    this.child = spawn(DISTRIBUTION, ['serve', config], { stdio: ['ignore', log, log] });
    closeSync(log);
    for (let i = 0; i < 100; i++) {
      if (await answers(this.port)) return;
      await sleep(50);
    }
    throw new Error('docker-registry did not start');
  }

  async stop(): Promise<void> {
    const pid = this.child?.pid;
    this.child = undefined;
    if (pid !== undefined) await stopPid(pid);
    // The previous run's blobs are not needed again: free the disk.
    await Promise.all(Array.from({ length: this.generation - 1 }, (_, i) => removeTree(join(this.work, `registry-${i}`))));
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v2/`);
    return res.status === 200;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
