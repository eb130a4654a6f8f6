/**
 * Image store benchmarks, driven through the real docker CLI against a private
 * dockerd and a private berthd: `save -o` and `load -i` of a ~200 MB Debian
 * image, and `images` with 200 tags of one image.
 */
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthdSpec, dockerdSpec, onSubjectDaemon, type DaemonSpec } from './lib/daemons.js';
import { debianRootfsTar, debianUnavailable } from './lib/debian.js';
import { skipped, timeRuns } from './lib/measure.js';
import { registerCleanup } from './lib/cleanup.js';
import { removeTree, run as runCommand } from './lib/proc.js';
import type { BenchContext, Row } from './types.js';

const IMAGE = 'berth-bench/debian:bookworm';
const TAG_COUNT = 200;

interface Shared {
  ctx: BenchContext;
  work: string;
  rootfsTar: string;
  names: { save: string; load: string; images: string };
  /** The first subject's `docker save` output; every subject loads this same file. */
  loadInput?: string;
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const specs = [dockerdSpec(), berthdSpec(ctx.root)];
  const noDebian = debianUnavailable();
  if (noDebian !== undefined) {
    const names = benchNames('debian');
    return specs.flatMap((s) => Object.values(names).map((b) => skipped(b, s.subject, noDebian)));
  }
  const rootfsTar = await debianRootfsTar(ctx.log);
  const megabytes = Math.round((await stat(rootfsTar)).size / 1e6);
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-images-'));
  const unregister = registerCleanup(`temp dir ${work}`, () => removeTree(work));
  const shared: Shared = { ctx, work, rootfsTar, names: benchNames(`debian ${megabytes} MB`) };
  try {
    const rows: Row[] = [];
    for (const spec of specs) rows.push(...(await benchSubject(spec, shared)));
    return rows;
  } finally {
    unregister();
    await removeTree(work);
  }
}

function benchNames(image: string): Shared['names'] {
  return {
    save: `images: save -o (${image})`,
    load: `images: load -i (${image})`,
    images: `images: images (${TAG_COUNT} tags)`,
  };
}

async function benchSubject(spec: DaemonSpec, shared: Shared): Promise<Row[]> {
  const { names, ctx } = shared;
  return onSubjectDaemon(spec, Object.values(names), ctx.log, async (daemon) => {
    const docker = (...args: string[]) => runCommand('docker', ['-H', daemon.host, ...args]);
    ctx.log(`${spec.subject}: importing ${shared.rootfsTar}…`);
    await docker('import', shared.rootfsTar, IMAGE);
    return [
      await attempt(names.save, spec.subject, () => benchSave(docker, spec.subject, shared)),
      await attempt(names.load, spec.subject, () => benchLoad(docker, spec.subject, shared)),
      await attempt(names.images, spec.subject, () => benchImages(docker, spec.subject, shared)),
    ];
  });
}

type Docker = (...args: string[]) => Promise<string>;

/** One benchmark's row, or a row saying why it failed (the others still run). */
async function attempt(bench: string, subject: string, measure: () => Promise<Row>): Promise<Row> {
  try {
    return await measure();
  } catch (err) {
    return { bench, subject, median_ms: null, runs: 0, note: `failed: ${(err as Error).message.slice(0, 200)}` };
  }
}

async function benchSave(docker: Docker, subject: string, shared: Shared): Promise<Row> {
  shared.ctx.log(`${subject}: save ×${shared.ctx.runs}`);
  const out = join(shared.work, `${subject}-save.tar`);
  const row = await timeRuns(shared.names.save, subject, shared.ctx.runs, {
    before: () => rm(out, { force: true }),
    measure: () => docker('save', '-o', out, IMAGE).then(() => undefined),
  });
  if (shared.loadInput === undefined) {
    shared.loadInput = join(shared.work, 'load-input.tar');
    await rename(out, shared.loadInput);
  } else {
    await rm(out, { force: true });
  }
  return row;
}

async function benchLoad(docker: Docker, subject: string, shared: Shared): Promise<Row> {
  const input = shared.loadInput;
  if (input === undefined) throw new Error('no image tar to load (every save failed)');
  shared.ctx.log(`${subject}: load ×${shared.ctx.runs}`);
  return timeRuns(shared.names.load, subject, shared.ctx.runs, {
    // Remove the image (and so its layers) so that every load really stores it.
    before: () => docker('rmi', IMAGE).then(() => undefined, () => undefined),
    measure: () => docker('load', '-q', '-i', input).then(() => undefined),
  });
}

async function benchImages(docker: Docker, subject: string, shared: Shared): Promise<Row> {
  shared.ctx.log(`${subject}: tagging ${IMAGE} ${TAG_COUNT} times, then images ×${shared.ctx.runs}`);
  // The load bench leaves the image in place; if it failed, import it again.
  await docker('image', 'inspect', IMAGE).catch(() => docker('import', shared.rootfsTar, IMAGE));
  for (let i = 1; i <= TAG_COUNT; i++) await docker('tag', IMAGE, `berth-bench/many:t${i}`);
  return timeRuns(shared.names.images, subject, shared.ctx.runs, {
    measure: () => docker('images').then(() => undefined),
  });
}
