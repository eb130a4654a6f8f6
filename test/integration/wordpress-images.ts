/**
 * The images of the WordPress + MariaDB + haproxy deployment
 * (test/fixtures/wordpress/*), built from Debian packages on the cached
 * bookworm rootfs since Docker Hub is out of reach. Building them takes
 * minutes (apt-get from Debian's archive), so the first build saves all three
 * in one tar (shared layers once) in the cache directory of
 * scripts/debian-rootfs.sh, named after a hash of the fixtures and the base
 * rootfs; later runs, and other daemons of the same run, only load it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { debianRootfs, DOCKER_CLI, ROOT, run, type RunResult } from './harness.js';

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'wordpress');
const CACHE = process.env.BERTH_DEBIAN_CACHE || '/var/cache/berth-bench';
const BUILD_TIMEOUT_MS = 900_000;
/** Saving or loading the 1 GB tar takes minutes on a loaded host. */
const TAR_TIMEOUT_MS = 900_000;

/** The image name of each fixture directory. */
export const IMAGES = { mariadb: 'e2e/mariadb:bookworm', wordpress: 'e2e/wordpress:bookworm', haproxy: 'e2e/haproxy:bookworm' } as const;

/** A daemon the docker CLI can reach (a TestDaemon or a ReferenceDockerd). */
export interface ImageTarget {
  /** For `docker -H`. */
  host: string;
  docker(args: string[], input?: string | Buffer): RunResult;
  /** The classic builder; only the daemon that builds needs it. */
  dockerBuild?(args: string[], input?: string | Buffer, timeoutMs?: number): RunResult;
}

/** Every fixture file's path and content, and the base rootfs's size: the cache key. */
function fixturesKey(baseTar: string): string {
  const hash = createHash('sha256');
  for (const dir of Object.keys(IMAGES).sort()) {
    for (const file of readdirSync(join(FIXTURES, dir)).sort()) {
      const path = join(FIXTURES, dir, file);
      hash.update(`${dir}/${file}:${statSync(path).mode & 0o111 ? 'x' : '-'}\0`).update(readFileSync(path)).update('\0');
    }
  }
  hash.update(`base:${statSync(baseTar).size}`);
  return hash.digest('hex').slice(0, 16);
}

/** The docker CLI with a timeout long enough for a 1 GB image tar. */
function longDocker(target: ImageTarget, args: string[]): RunResult {
  return run(DOCKER_CLI!, ['-H', target.host, ...args], undefined, {}, TAR_TIMEOUT_MS);
}

function check(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

async function tarPath(): Promise<string> {
  return join(CACHE, `wordpress-images-${fixturesKey(await debianRootfs())}.tar`);
}

/** The cached tar of the three images for these fixtures, if there is one. */
export async function cachedWordpressImagesTar(): Promise<string | undefined> {
  const tar = await tarPath();
  return existsSync(tar) ? tar : undefined;
}

/** The tar of the three images, built on `builder` (a berthd) when the cache has none for these fixtures. */
export async function wordpressImagesTar(builder: ImageTarget): Promise<string> {
  const tar = await tarPath();
  if (existsSync(tar)) return tar;
  const base = await debianRootfs();
  if (!builder.dockerBuild) throw new Error('the images are not cached and this daemon cannot build');
  check(builder.docker(['import', base, 'debian:bookworm']), 'importing the Debian rootfs');
  for (const [dir, image] of Object.entries(IMAGES)) {
    check(builder.dockerBuild(['-t', image, join(FIXTURES, dir)], undefined, BUILD_TIMEOUT_MS), `building ${image}`);
  }
  // Written aside and renamed: a run killed midway never leaves a partial tar under the cache's name.
  const partial = `${tar}.${process.pid}.partial`;
  try {
    check(longDocker(builder, ['save', '-o', partial, ...Object.values(IMAGES)]), 'saving the images');
    await rename(partial, tar);
    await removeStaleTars(tar);
  } finally {
    await rm(partial, { force: true });
  }
  return tar;
}

/** Tars of earlier fixtures: each is as large as the three images. */
async function removeStaleTars(current: string): Promise<void> {
  for (const name of readdirSync(CACHE).filter((n) => /^wordpress-images-[0-9a-f]+\.tar$/.test(n))) {
    if (join(CACHE, name) !== current) await rm(join(CACHE, name), { force: true });
  }
}

/** Makes the three images present on `target`: loaded from the cache, built first when needed. */
export async function provideWordpressImages(target: ImageTarget): Promise<void> {
  const tar = await wordpressImagesTar(target);
  const present = target.docker(['image', 'inspect', ...Object.values(IMAGES)]).code === 0;
  if (!present) check(longDocker(target, ['load', '-i', tar]), 'loading the images');
}
