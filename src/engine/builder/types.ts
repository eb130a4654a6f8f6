import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import type { Ulimit } from '../containers/types.js';
import type { ProgressMessage } from '../images/types.js';
import type { AuthConfig } from '../distribution/types.js';

/**
 * The builder area: the classic Docker builder. A build context arrives as a
 * tar, the Dockerfile in it is parsed, and each step runs as Docker's classic
 * builder runs it: metadata steps commit a config change, RUN runs a
 * container through the containers area, COPY and ADD write into a
 * container's filesystem, and every step commits an image whose parent is the
 * previous one. The parent links and each image's container_config are the
 * build cache, as in Docker.
 */

/** Resource limits applied to RUN steps' containers. */
export interface BuildResources {
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  cpuPeriod?: number;
  cpuQuota?: number;
  shmSize?: number;
  ulimits?: Ulimit[];
}

/** POST /build's query, decoded. */
export interface BuildRequest {
  /** "repo:tag" references to give the result. */
  tags: string[];
  /** Path of the Dockerfile inside the context ("Dockerfile" when empty). */
  dockerfile: string;
  /** --build-arg: null means declared without a value and unset in the client's environment. */
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  pull: boolean;
  /** Remove intermediate containers (--rm, the default). */
  remove: boolean;
  /** Always remove them, even after a failed step (--force-rm). */
  forceRemove: boolean;
  networkMode: string;
  target?: string;
  cacheFrom: string[];
  /** "host:ip" entries for RUN steps' /etc/hosts. */
  extraHosts: string[];
  resources: BuildResources;
  squash: boolean;
  platform?: string;
  /** A URL to fetch the context (a tarball or a lone Dockerfile) from, instead of the request body. */
  remote?: string;
  /** Registry credentials for pulling FROM images (X-Registry-Config), keyed as config.json keys them. */
  registryAuths?: Record<string, AuthConfig>;
}

/** Where the build writes what the client sees. */
export interface BuildOutput {
  /** Plain text for the client's terminal ({"stream": …}). */
  stream(text: string): void;
  /** Structured results ({"aux": …}), e.g. {ID: "sha256:…"}. */
  aux(value: unknown): void;
  /** Progress messages (pulls), passed through as they are. */
  progress(message: ProgressMessage): void;
  /**
   * Resolves once the client has taken enough of what was sent (at once when
   * it keeps up): a RUN step waits here, so a client that stops reading holds
   * the step's process on its writes, not the daemon's memory, as in dockerd.
   */
  drained(): Promise<unknown>;
}

export interface BuilderService {
  /**
   * Runs one build and returns the image ID. A failed build throws (an
   * EngineError with Docker's message) and tags nothing; images of steps that
   * succeeded stay as cache, and the failed RUN step's container stays unless
   * --force-rm, as in Docker. One aux {ID} goes out at the end of each stage.
   */
  build(context: Readable, request: BuildRequest, output: BuildOutput, signal: AbortSignal): Promise<Digest>;
}
