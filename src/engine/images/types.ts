import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';

/** The runnable part of an image config (Docker's container.Config as stored in images). */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** An image config blob as Docker and OCI write it; unknown fields are kept verbatim. */
export interface ImageConfig {
  architecture?: string;
  variant?: string;
  os?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  parent?: string;
  container?: string;
  container_config?: ContainerConfig;
  config?: ContainerConfig;
  rootfs: { type: string; diff_ids: Digest[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

/** An image as the engine knows it: its config plus local facts. */
export interface Image {
  id: Digest;
  config: ImageConfig;
  /** Local parent image (set by commit and build), '' otherwise. */
  parent: Digest | '';
  /** Familiar tag references, e.g. "busybox:latest". */
  repoTags: string[];
  /** Familiar digest references, e.g. "busybox@sha256:…". */
  repoDigests: string[];
  /** Bytes of all layers in the image's chain. */
  size: number;
  lastTagTime?: string;
  /** Chain ID of the top layer, or null for an image with no layers. */
  topLayer: Digest | null;
  /** The image's layers, bottom first, by chain ID with each one's own size. */
  layers: { chainId: Digest; size: number }[];
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface DeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

/** Filters as the API passes them: name -> values (Docker's filters map, normalised). */
export type Filters = Map<string, string[]>;

export interface ProgressMessage {
  status?: string;
  stream?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  /** The progress bar as text, for clients that print it as it is. */
  progress?: string;
  /** Structured results (push: {Tag, Digest, Size}). */
  aux?: unknown;
  error?: string;
  errorDetail?: { message: string };
}
export type ProgressSink = (message: ProgressMessage) => void;

/** Tells the image service which containers use an image (provided by the containers area). */
export interface ImageUsage {
  containersUsing(imageId: Digest): Promise<{ id: string; running: boolean }[]>;
}

export interface CommitOptions {
  /** The image the new one is made on; its layers, history and platform carry over. Null: from scratch (a build's FROM scratch). */
  parent: Digest | null;
  /**
   * An uncompressed tar of the changes, whiteouts as .wh. entries; null for no
   * changes. An empty tar, like null, adds no layer: the history entry is then
   * an empty_layer one, as Docker records metadata-only steps.
   */
  layerTar: Readable | null;
  /** The runnable config of the new image, before `changes` are applied. */
  config: ContainerConfig;
  /** The config of the container (or build step) that made it: the classic builder's cache key. */
  containerConfig?: ContainerConfig;
  /** Dockerfile-style changes (commit -c): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR. */
  changes: string[];
  author?: string;
  comment?: string;
  /** Recorded in the config as "container", as Docker does. */
  containerId?: string;
  /** The history entry's created_by. */
  createdBy: string;
  /** Tag to give the new image ("repo:tag"). */
  reference?: string;
}

/** The narrow interface src/api uses. */
export interface ImageService {
  /** Resolves a reference, full ID, or ID prefix; throws notFound ("No such image: x"). */
  resolve(nameOrId: string): Promise<Image>;
  list(options: { all: boolean; filters: Filters; digests?: boolean }): Promise<Image[]>;
  all(): Promise<Image[]>;
  history(nameOrId: string): Promise<HistoryItem[]>;
  tag(nameOrId: string, repo: string, tag: string | undefined): Promise<void>;
  remove(nameOrId: string, options: { force: boolean; noPrune: boolean }): Promise<DeleteResponseItem[]>;
  prune(filters: Filters): Promise<{ ImagesDeleted: DeleteResponseItem[] | null; SpaceReclaimed: number }>;
  importTar(source: Readable, options: { sourceName: string; repo?: string; tag?: string; message?: string; changes: string[]; platform?: string }): Promise<Digest>;
  save(names: string[]): Promise<Readable>;
  /** The exact uncompressed tar of a layer (`chain` its chain ID, `diffId` its digest), regenerated from the layer store. */
  layerTar(chain: Digest, diffId: Digest): Promise<{ stream: Readable; size: number }>;
  load(archive: Readable, progress: ProgressSink, quiet: boolean): Promise<void>;
  /** Total bytes of all distinct layers. */
  layersSize(): Promise<number>;
  /** Graph driver facts for inspect: Name and Data. */
  graphDriver(image: Image): Promise<{ Name: string; Data: Record<string, string> | null }>;
  /** A new image: a parent image plus one layer (a tar of changes) and a config (docker commit, and build steps). */
  commit(options: CommitOptions): Promise<Digest>;
  children(id: Digest): Promise<Digest[]>;
  /**
   * An image with no layers and an empty config, the same one every time:
   * what a build's FROM scratch starts from, so that every step has a parent.
   */
  emptyImage(): Promise<Digest>;
  /**
   * Records an image whose layers' uncompressed tars are already in the
   * content store under their diff IDs (a pull): registers its layers, stores
   * the config bytes as they are (the ID is their digest) and points the
   * references ("docker.io/library/busybox:latest", "…@sha256:…") at it.
   * `created` is false when the image was here already.
   */
  addImage(configBytes: Buffer, references: string[]): Promise<{ id: Digest; created: boolean }>;
  /** Containers created from this image (none until the containers area is wired in). */
  containersUsing(id: Digest): Promise<{ id: string; running: boolean }[]>;
}
