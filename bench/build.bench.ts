/**
 * The Dockerfile builder: a cold build (--no-cache) and a rebuild with every
 * step in the cache, of one multi-step Dockerfile on a busybox base, through
 * the real docker CLI's classic builder (DOCKER_BUILDKIT=0) against a private
 * dockerd and a private berthd, side by side. The target: a cached rebuild in
 * well under half of dockerd's time.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
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
const NAMES = { cold: `build: cold, --no-cache (${STEPS} steps)`, cached: `build: rebuild, all ${STEPS} steps cached` };

export async function run(ctx: BenchContext): Promise<Row[]> {
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-build-'));
  const unregister = registerCleanup(`temp dir ${work}`, () => removeTree(work));
  try {
    const contextDir = await makeContext(work);
    const busyboxTar = join(work, 'busybox.tar');
    await runCommand(join(ctx.root, 'scripts', 'busybox-rootfs.sh'), [busyboxTar]);
    const rows: Row[] = [];
    for (const spec of [dockerdSpec(), berthdSpec(ctx.root)]) rows.push(...(await benchSubject(ctx, spec, contextDir, busyboxTar)));
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

async function benchSubject(ctx: BenchContext, spec: DaemonSpec, contextDir: string, busyboxTar: string): Promise<Row[]> {
  return onSubjectDaemon(spec, Object.values(NAMES), ctx.log, async (daemon) => {
    const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args], { env: { DOCKER_BUILDKIT: '0' } });
    await docker('import', '-c', 'CMD ["sh"]', busyboxTar, 'busybox:latest');
    // --network none on both: dockerd runs here without a bridge, and no step needs the network.
    const build = (...extra: string[]) => docker('build', '--network', 'none', '-t', 'bench-build', ...extra, contextDir).then(() => undefined);
    ctx.log(`${spec.subject}: cold builds ×${ctx.runs}`);
    const cold = await timeRuns(NAMES.cold, spec.subject, ctx.runs, { measure: () => build('--no-cache') });
    await build();
    ctx.log(`${spec.subject}: cached rebuilds ×${ctx.runs}`);
    const cached = await timeRuns(NAMES.cached, spec.subject, ctx.runs, { measure: () => build() });
    return [cold, cached];
  });
}
