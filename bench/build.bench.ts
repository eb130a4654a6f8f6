/**
 * The Dockerfile builder: a cold build (--no-cache) and a rebuild with every
 * step in the cache, of one multi-step Dockerfile on a busybox base, through
 * the real docker CLI's classic builder (DOCKER_BUILDKIT=0) against a private
 * dockerd and a private berthd, side by side. The target: a cached rebuild in
 * well under half of dockerd's time.
 *
 * And a build whose context holds one huge sparse file (a disk image made with
 * truncate, a few MiB of data in it) that COPY puts in the image. The docker
 * CLI sends the context as a plain tar (Go's archive/tar writes no sparse
 * headers), so the file's zeros cross the socket either way; what the daemons
 * do with them afterwards is measured. BERTH_BENCH_SPARSE_GIB sets the file's
 * size (8 by default; 0 leaves the row out).
 */
import { mkdir, mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from './lib/cleanup.js';
import { berthdSpec, dockerdSpec, onSubjectDaemon, type DaemonSpec } from './lib/daemons.js';
import { timeRuns } from './lib/measure.js';
import { removeTree, run as runCommand } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const SOURCE_FILES = 100;
const DOCKERFILE = [
  'FROM busybox',
  'ENV APP=/app',
  'WORKDIR /app',
  'COPY src/ ./src/',
  'RUN for i in $(seq 1 200); do echo "line $i" >> generated.txt; done',
  'RUN dd if=/dev/zero of=/app/blob bs=1M count=20 2>/dev/null',
  'COPY config.txt ./',
  'RUN cat config.txt generated.txt | wc -l > count.txt',
  'LABEL bench=build',
  'EXPOSE 8080',
  'CMD ["sh", "-c", "cat count.txt"]',
].join('\n');
const STEPS = DOCKERFILE.split('\n').length;
const SPARSE_GIB = Number(process.env.BERTH_BENCH_SPARSE_GIB ?? 8);
/** Each sparse run moves the file's whole size through the daemon several times: two are enough. */
const SPARSE_MAX_RUNS = 2;
const NAMES = {
  cold: `build: cold, --no-cache (${STEPS} steps)`,
  cached: `build: rebuild, all ${STEPS} steps cached`,
  sparse: `build: COPY of a sparse ${SPARSE_GIB} GiB file in the context`,
};

export async function run(ctx: BenchContext): Promise<Row[]> {
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-build-'));
  const unregister = registerCleanup(`temp dir ${work}`, () => removeTree(work));
  try {
    const contexts = { steps: await makeContext(work), sparse: SPARSE_GIB > 0 ? await makeSparseContext(work) : null };
    const busyboxTar = join(work, 'busybox.tar');
    await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [busyboxTar]);
    const rows: Row[] = [];
    for (const spec of [dockerdSpec(), berthdSpec(ctx.root)]) rows.push(...(await benchSubject(ctx, spec, contexts, busyboxTar)));
    return rows;
  } finally {
    unregister();
    await removeTree(work);
  }
}

async function makeContext(work: string): Promise<string> {
  const dir = join(work, 'context');
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
  await writeFile(join(dir, 'config.txt'), 'setting=1\n');
  for (let i = 0; i < SOURCE_FILES; i++) await writeFile(join(dir, 'src', `file${i}.txt`), `source file ${i}\n`.repeat(50));
  return dir;
}

/** A sparse file with a MiB of data at its start, middle and end, as a disk image would have. */
async function makeSparseContext(work: string): Promise<string> {
  const dir = join(work, 'sparse');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY big /big\n');
  const size = SPARSE_GIB * 1024 ** 3;
  const file = await open(join(dir, 'big'), 'w');
  try {
    await file.truncate(size);
    const data = Buffer.alloc(1 << 20, 'berth sparse bench ');
    for (const at of [0, Math.floor(size / 2), size - data.length]) await file.write(data, 0, data.length, at);
  } finally {
    await file.close();
  }
  return dir;
}

async function benchSubject(ctx: BenchContext, spec: DaemonSpec, contexts: { steps: string; sparse: string | null }, busyboxTar: string): Promise<Row[]> {
  const names = contexts.sparse ? Object.values(NAMES) : [NAMES.cold, NAMES.cached];
  return onSubjectDaemon(spec, names, ctx.log, async (daemon) => {
    const contextDir = contexts.steps;
    const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args], { env: { DOCKER_BUILDKIT: '0' } });
    await docker('import', '-c', 'CMD ["sh"]', busyboxTar, 'busybox:latest');
    // --network none on both: dockerd runs here without a bridge, and no step needs the network.
    const build = (...extra: string[]) => docker('build', '--network', 'none', '-t', 'bench-build', ...extra, contextDir).then(() => undefined);
    ctx.log(`${spec.subject}: cold builds ×${ctx.runs}`);
    const cold = await timeRuns(NAMES.cold, spec.subject, ctx.runs, { measure: () => build('--no-cache') });
    await build();
    ctx.log(`${spec.subject}: cached rebuilds ×${ctx.runs}`);
    const cached = await timeRuns(NAMES.cached, spec.subject, ctx.runs, { measure: () => build() });
    if (!contexts.sparse) return [cold, cached];
    return [cold, cached, await sparseRow(ctx, spec.subject, daemon.dir, docker, contexts.sparse)];
  });
}

async function sparseRow(ctx: BenchContext, subject: string, daemonDir: string, docker: (...args: string[]) => Promise<string>, contextDir: string): Promise<Row> {
  const runs = Math.min(ctx.runs, SPARSE_MAX_RUNS);
  ctx.log(`${subject}: sparse ${SPARSE_GIB} GiB builds ×${runs}`);
  const row = await timeRuns(NAMES.sparse, subject, runs, {
    // Without the last run's image, so that each run stores the layer anew.
    before: () => docker('rmi', '-f', 'bench-sparse').then(() => undefined, () => undefined),
    measure: () => docker('build', '--no-cache', '--network', 'none', '-t', 'bench-sparse', contextDir).then(() => undefined),
  });
  const used = (await runCommand('du', ['-sm', join(daemonDir, 'data')])).split('\t')[0];
  return { ...row, note: `data root ${used} MiB after the build` };
}
