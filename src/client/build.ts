/**
 * POST /build: the classic builder's endpoint. The context tar is streamed as
 * the request body; the answer is a JSON message stream (`stream`, `status`,
 * `aux` with the image ID, `error`). Query parameters are encoded as the Go
 * client (moby client/image_build.go) encodes them, so a daemon sees the same
 * request from berth as from `DOCKER_BUILDKIT=0 docker build`.
 */
import type { Readable } from 'node:stream';
import type { ApiClient, Query } from './client.js';
import type { Ulimit } from './container-types.js';

export interface BuildOptions {
  /** `t`, repeated: every name:tag to give the result. */
  tags?: readonly string[];
  /** Path of the Dockerfile inside the context (`dockerfile`); the daemon's default is `Dockerfile`. */
  dockerfile?: string;
  /** `q`: the daemon prints only the image ID. */
  quiet?: boolean;
  noCache?: boolean;
  /** `rm`: remove intermediate containers after a successful build (default true). */
  remove?: boolean;
  /** `forcerm`: always remove intermediate containers. */
  forceRemove?: boolean;
  /** `pull`: always try to pull a newer base image. */
  pull?: boolean;
  /** `buildargs`: a null value means "declared, take the ARG default" (docker's `--build-arg NAME` with NAME unset). */
  buildArgs?: Record<string, string | null>;
  labels?: Record<string, string>;
  /** `networkmode` for RUN instructions (`default`, `bridge`, `host`, `none`, `container:<id>`, a network name). */
  networkMode?: string;
  target?: string;
  cacheFrom?: readonly string[];
  /** `extrahosts`, one `host:ip` a value, repeated as the Go client sends them. */
  extraHosts?: readonly string[];
  securityOpt?: readonly string[];
  memory?: number;
  /** `memswap`: memory + swap, -1 for unlimited swap. */
  memorySwap?: number;
  cpuShares?: number;
  cpuSetCpus?: string;
  cpuSetMems?: string;
  cpuPeriod?: number;
  cpuQuota?: number;
  cgroupParent?: string;
  shmSize?: number;
  ulimits?: readonly Ulimit[];
  squash?: boolean;
  /** `os[/arch[/variant]]`, sent lower-cased as docker does. */
  platform?: string;
  /** A URL the daemon fetches the context from (`remote`); then no body is needed. */
  remote?: string;
  /** Sent only when not the default (`""` / `default`). */
  isolation?: string;
  /** Registry credentials by registry host, for FROM pulls (`X-Registry-Config`). */
  authConfigs?: Record<string, unknown>;
}

/** The query string POST /build gets, parameter for parameter as the Go client builds it. */
export function buildQuery(options: BuildOptions): Query {
  const int = (value: number | undefined) => String(Math.trunc(value ?? 0));
  const isolation = options.isolation ?? '';
  return {
    t: options.tags?.length ? options.tags : undefined,
    securityopt: options.securityOpt?.length ? options.securityOpt : undefined,
    extrahosts: options.extraHosts?.length ? options.extraHosts : undefined,
    q: options.quiet ? '1' : undefined,
    remote: options.remote || undefined,
    nocache: options.noCache ? '1' : undefined,
    rm: options.remove === false ? '0' : '1',
    forcerm: options.forceRemove ? '1' : undefined,
    pull: options.pull ? '1' : undefined,
    squash: options.squash ? '1' : undefined,
    isolation: isolation === '' || isolation.toLowerCase() === 'default' ? undefined : isolation,
    cpusetcpus: options.cpuSetCpus ?? '',
    networkmode: options.networkMode ?? '',
    cpusetmems: options.cpuSetMems ?? '',
    cpushares: int(options.cpuShares),
    cpuquota: int(options.cpuQuota),
    cpuperiod: int(options.cpuPeriod),
    memory: int(options.memory),
    memswap: int(options.memorySwap),
    cgroupparent: options.cgroupParent ?? '',
    shmsize: int(options.shmSize),
    dockerfile: options.dockerfile ?? '',
    target: options.target ?? '',
    ulimits: JSON.stringify(options.ulimits ?? []),
    buildargs: JSON.stringify(options.buildArgs ?? {}),
    labels: JSON.stringify(options.labels ?? {}),
    cachefrom: JSON.stringify(options.cacheFrom ?? []),
    platform: options.platform ? options.platform.toLowerCase() : undefined,
    version: '1',
  };
}

/**
 * POST /build with `context` (a tar, possibly compressed) streamed as the
 * body; pass null with `options.remote` to let the daemon fetch the context.
 * Resolves with the JSON message stream once the daemon answers 2xx.
 */
export async function build(api: ApiClient, context: Readable | null, options: BuildOptions = {}): Promise<Readable> {
  // Go's base64.URLEncoding: the URL alphabet with `=` padding (Node's 'base64url' drops the padding).
  const registryConfig = Buffer.from(JSON.stringify(options.authConfigs ?? {})).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  const res = await api.request('POST', '/build', {
    query: buildQuery(options),
    stream: context ?? undefined,
    headers: { 'Content-Type': 'application/x-tar', 'X-Registry-Config': registryConfig },
  });
  return res.body;
}
