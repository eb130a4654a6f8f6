/**
 * Images a project needs, before anything is created: a service with a
 * `build` section is built when its image is missing or its pull_policy is
 * `build` (what `up --build` sets), the others are pulled as their
 * pull_policy says (images.ts). `compose build` builds them all.
 * Builds go through the Engine API's POST /build; the context tar comes
 * from the caller (the CLI packs it the way `berth build` does), since this
 * layer speaks only the API.
 */
import type { Readable } from 'node:stream';
import { readJsonMessages, type BerthClient, type JsonMessage, type Ulimit } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import { isRemoteContext } from './canonical.js';
import { ramInBytes } from './go-json.js';
import type { ImageIds } from './image-ids.js';
import { pullMissing } from './images.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';

type Dict = Record<string, unknown>;

/** Packs a context directory with its Dockerfile (absolute path) into the tar POST /build takes, and the Dockerfile's path in it. */
export type ContextPacker = (contextDir: string, dockerfile: string) => Promise<{ context: Readable; dockerfile: string }>;

export interface ImageOptions {
  packContext?: ContextPacker;
  /** Where the daemon's build output goes (compose prints it on stdout). */
  buildOutput?: (message: JsonMessage) => void;
  noCache?: boolean;
  /** `build --pull`: always pull the base images. */
  pullBase?: boolean;
  /** `build --build-arg`: added to (and overriding) each service's build args. */
  buildArgs?: Record<string, string | null>;
}

/** The image a service runs: its `image:`, else the one compose builds for it, `<project>-<service>`. */
export function imageName(project: Project, service: string): string {
  const image = project.model.services[service].image;
  return typeof image === 'string' ? image : `${project.name}-${service}`;
}

export async function ensureImages(client: BerthClient, project: Project, services: string[], progress: Progress, options: ImageOptions, images: ImageIds): Promise<void> {
  const withBuild = services.filter((s) => project.model.services[s].build);
  await pullMissing(client, project, services.filter((s) => !withBuild.includes(s)), progress, images);
  const toBuild: string[] = [];
  for (const s of withBuild) {
    if (project.model.services[s].pull_policy === 'build' || !(await images.id(imageName(project, s)))) toBuild.push(s);
  }
  await buildServices(client, project, toBuild, progress, options);
  for (const s of toBuild) images.forget(imageName(project, s));
}

/**
 * Builds the services one after the other (the classic builder gains little
 * from parallel builds on one engine, and the output stays readable); two
 * services sharing an image name are built once.
 */
export async function buildServices(client: BerthClient, project: Project, services: string[], progress: Progress, options: ImageOptions): Promise<void> {
  const built = new Set<string>();
  for (const service of services) {
    const image = imageName(project, service);
    if (built.has(image)) continue;
    await progress.step(`Service ${service}`, 'Building', 'Built', () => buildOne(client, project, service, image, options));
    built.add(image);
  }
}

async function buildOne(client: BerthClient, project: Project, service: string, image: string, options: ImageOptions): Promise<void> {
  const build = project.model.services[service].build as Dict;
  if (!options.packContext) throw invalid(`service "${service}" needs to be built, and this command cannot build`);
  const contextDir = String(build.context);
  if (build.dockerfile_inline) throw invalid(`service "${service}": dockerfile_inline is not supported by the classic builder`);
  refuseBuildKitOnly(service, build);
  const dockerfile = String(build.dockerfile ?? 'Dockerfile');
  // A git or http(s) context is the engine's to fetch (POST /build?remote=), as docker-compose 1.29 has it fetched.
  const remote = isRemoteContext(contextDir) ? contextDir : undefined;
  const packed = remote ? { context: null, dockerfile } : await options.packContext(contextDir, dockerfile.startsWith('/') ? dockerfile : `${contextDir}/${dockerfile}`);
  const stream = await client.build(packed.context, {
    remote,
    tags: [image, ...((build.tags as string[] | undefined) ?? [])],
    dockerfile: packed.dockerfile,
    buildArgs: { ...((build.args ?? {}) as Record<string, string | null>), ...options.buildArgs },
    labels: (build.labels ?? {}) as Record<string, string>,
    target: build.target as string | undefined,
    cacheFrom: build.cache_from as string[] | undefined,
    networkMode: build.network as string | undefined,
    extraHosts: extraHosts(build.extra_hosts),
    shmSize: build.shm_size === undefined ? undefined : ramInBytes(build.shm_size),
    ulimits: ulimits(build.ulimits),
    platform: (build.platforms as string[] | undefined)?.[0],
    isolation: build.isolation as string | undefined,
    noCache: options.noCache || Boolean(build.no_cache),
    pull: options.pullBase || Boolean(build.pull),
  });
  for await (const msg of readJsonMessages(stream)) {
    const error = msg.errorDetail?.message || msg.error;
    if (error) throw invalid(`failed to build service "${service}": ${error}`);
    options.buildOutput?.(msg);
  }
}

/**
 * What only BuildKit does, refused in compose v2's words for its classic
 * builder (build_classic.go) rather than left out of the build; berth's
 * engine has the classic builder only.
 */
function refuseBuildKitOnly(service: string, build: Dict): void {
  const refuse = (what: string) => invalid(`service "${service}": the classic builder doesn't support ${what}`);
  if (((build.platforms as unknown[] | undefined) ?? []).length > 1) throw refuse('multi-arch build');
  if (build.privileged) throw refuse('privileged mode');
  if (Object.keys((build.additional_contexts ?? {}) as Dict).length > 0) throw refuse('additional contexts');
  if (((build.ssh as unknown[] | undefined) ?? []).length > 0) throw refuse('SSH keys');
  if (((build.secrets as unknown[] | undefined) ?? []).length > 0) throw refuse('secrets');
  if (((build.cache_to as unknown[] | undefined) ?? []).length > 0) throw refuse('cache export (cache_to)');
  if (((build.entitlements as unknown[] | undefined) ?? []).length > 0) throw refuse('entitlements');
}

/** `ulimits` as POST /build's: a number sets both soft and hard. */
function ulimits(value: unknown): Ulimit[] | undefined {
  if (!value) return undefined;
  return Object.entries(value as Dict).map(([Name, v]) => {
    const limit = typeof v === 'object' && v !== null ? (v as Dict) : { soft: v, hard: v };
    return { Name, Soft: Number(limit.soft), Hard: Number(limit.hard) };
  });
}

/** `extra_hosts` as a list of `host:ip` or a map, as POST /build's `extrahosts` wants them. */
function extraHosts(value: unknown): string[] | undefined {
  if (!value) return undefined;
  if (Array.isArray(value)) return value.map((h) => String(h).replace('=', ':'));
  return Object.entries(value as Dict).map(([host, ip]) => `${host}:${String(ip)}`);
}
