import type { Readable, Writable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import type { ContainerConfig } from '../images/types.js';
import type { LogEntry, RuntimeStats } from '../runtime/types.js';
import type { PlannedMount } from '../volumes/types.js';

/**
 * The containers area: names, records, the state machine, and everything a
 * container does over its life, on top of the runtime (conmon + runc), the
 * layer store (its root filesystem) and the image service.
 *
 * The request and record shapes follow Docker's own (container.Config and
 * HostConfig), because that is what the API speaks and what Docker's daemon
 * keeps internally; src/api converts to and from the wire.
 */

export type { ContainerConfig };

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount?: number;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** The daemon's defaults for containers (daemon.json log-driver/log-opts and default-ulimits), read at create and start. */
export interface ContainerDefaults {
  logConfig: LogConfig;
  ulimits: Ulimit[];
}

/** Docker's HostConfig, the fields berth acts on (others are refused when set). */
export interface HostConfig {
  /** [height, width] of the tty at start, as `docker run -t` sends it. */
  ConsoleSize?: [number, number] | null;
  Binds?: string[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  VolumesFrom?: string[] | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  IpcMode?: string;
  CgroupnsMode?: string;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Links?: string[] | null;
  OomScoreAdj?: number;
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  Tmpfs?: Record<string, string> | null;
  UTSMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  LogConfig?: LogConfig;
  Init?: boolean | null;
  // Resources
  CpuShares?: number;
  Memory?: number;
  NanoCpus?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  BlkioWeight?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] | null;
  /** Extra device cgroup rules, "c 1:3 rwm" or "b 7:* r". */
  DeviceCgroupRules?: string[] | null;
  CgroupParent?: string;
  Isolation?: string;
  Mounts?: unknown[] | null;
  [key: string]: unknown;
}

/** What /containers/create carries, after the API has decoded it. */
export interface CreateRequest {
  name?: string;
  config: ContainerConfig & { Image?: string; HostConfig?: never };
  hostConfig: HostConfig;
  networkingConfig?: unknown;
  platform?: string;
  /**
   * No volumes for the image's VOLUMEs (never from the API): the builder's
   * COPY and WORKDIR steps write into the image itself, as Docker's do,
   * while RUN steps keep them (so RUN's writes under a VOLUME are dropped).
   */
  withoutImageVolumes?: boolean;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface Health {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthLogEntry[];
}

/** Docker's ContainerState, as recorded (and shown by inspect). */
export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: Health;
}

/** A container as the engine records it (config.v2.json). */
export interface Container {
  id: string;
  /** With the leading slash, as Docker shows it: "/web". */
  name: string;
  created: string;
  /** The image ID the container was created from, and the name it was asked by. */
  image: Digest;
  imageName: string;
  /** The process: argv[0] and the rest, after ENTRYPOINT/CMD merging. */
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  restartCount: number;
  /** Set when the user stopped it: restart policies do not bring it back (unless-stopped honours this across daemon restarts). */
  hasBeenManuallyStopped: boolean;
  /** The rw layer's ID in the layer store (the container's ID). */
  rwLayer: string;
  logPath: string;
  /** Volumes, binds and tmpfs mounts, planned at create (inspect's Mounts come from here). */
  mounts?: PlannedMount[];
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
}

export interface ListOptions {
  all: boolean;
  limit?: number;
  size?: boolean;
  filters: Map<string, string[]>;
}

/** A live attachment to a container's or exec's stdio. */
export interface StdioStreams {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Ends the attachment without stopping the process. */
  close(): void;
  /**
   * The client went away before the output ended (not a detach): ends what
   * only it was for. An exec's process is killed, as dockerd does when an
   * exec start request's context ends; a container attach has nothing to end.
   */
  abandon?(): void;
  /**
   * Resolves once the engine has recorded the end of what the output came
   * from (a container's exit): the stream ends only then, so that a client
   * that asks for the state on its end finds the exit, as with dockerd.
   */
  settled?(): Promise<void>;
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Replay the log before attaching (docker attach --logs / start -a after run). */
  logs: boolean;
  stream: boolean;
}

export interface ExecConfig {
  User?: string;
  Privileged?: boolean;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Env?: string[] | null;
  WorkingDir?: string;
  Cmd: string[];
  ConsoleSize?: [number, number] | null;
}

export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  /** Becomes set once started; resolves with the exit code. */
  exited?: Promise<number>;
}

export interface ExecStart {
  streams: StdioStreams | null;
  exit: Promise<number>;
}

export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface ArchiveStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

export interface ContainerService {
  create(request: CreateRequest): Promise<{ Id: string; Warnings: string[] }>;
  /** By full ID, unique ID prefix, or name (with or without the slash). */
  get(idOrName: string): Promise<Container>;
  list(options: ListOptions): Promise<Container[]>;
  /** Bytes written in the container's rw layer, and the image's size (for ps -s and inspect -s). */
  sizes(id: string): Promise<{ SizeRw: number; SizeRootFs: number }>;
  /** Inspect's GraphDriver: the container's layer over its image's. */
  graphDriver(id: string): Promise<{ Name: string; Data: Record<string, string> | null }>;
  start(idOrName: string): Promise<void>;
  /** notModified when it is not running. */
  stop(idOrName: string, options: { timeout?: number; signal?: string }): Promise<void>;
  restart(idOrName: string, options: { timeout?: number; signal?: string }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  pause(idOrName: string): Promise<void>;
  unpause(idOrName: string): Promise<void>;
  wait(idOrName: string, condition: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<WaitResult>;
  remove(idOrName: string, options: { force: boolean; volumes: boolean; link: boolean }): Promise<void>;
  rename(idOrName: string, newName: string): Promise<void>;
  update(idOrName: string, update: HostConfig): Promise<{ Warnings: string[] }>;
  prune(filters: Map<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;

  attach(idOrName: string, options: AttachOptions): Promise<StdioStreams & { tty: boolean }>;
  resize(idOrName: string, height: number, width: number): Promise<void>;
  logs(idOrName: string, options: { follow: boolean; since?: Date; until?: Date; tail?: number; signal?: AbortSignal }): Promise<{ tty: boolean; entries: AsyncIterable<LogEntry> }>;
  top(idOrName: string, psArgs: string): Promise<TopResult>;
  stats(idOrName: string): Promise<{ container: Container; stats: RuntimeStats | null }>;
  changes(idOrName: string): Promise<{ Path: string; Kind: 0 | 1 | 2 }[]>;
  export(idOrName: string): Promise<Readable>;
  commit(idOrName: string, options: { repo?: string; tag?: string; author?: string; comment?: string; changes: string[]; pause: boolean; config?: ContainerConfig }): Promise<Digest>;

  archiveStat(idOrName: string, path: string): Promise<ArchiveStat>;
  archiveGet(idOrName: string, path: string): Promise<{ stat: ArchiveStat; tar: Readable }>;
  /** `chown`: owner of everything written, "user[:group]" resolved in the container (the builder's COPY --chown). */
  archivePut(idOrName: string, path: string, tar: Readable, options: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean; chown?: string }): Promise<void>;
  /** The container's changes as a layer tar (whiteouts as .wh. entries), as commit uses them. */
  exportChanges(idOrName: string): Promise<Readable>;

  execCreate(idOrName: string, config: ExecConfig): Promise<string>;
  execStart(execId: string, options: { detach: boolean; tty?: boolean; consoleSize?: [number, number] }): Promise<ExecStart>;
  execInspect(execId: string): Promise<ExecRecord & { container: Container }>;
  execResize(execId: string, height: number, width: number): Promise<void>;

  /** Containers created from an image (for rmi conflicts and system df). */
  usingImage(imageId: Digest): Promise<{ id: string; running: boolean }[]>;
  /** Counts for /info. */
  counts(): Promise<{ total: number; running: number; paused: number; stopped: number }>;
  /** Brings back what was running before a berthd restart, restarts `always` ones, picks up exits. */
  recover(): Promise<void>;
  /** Stops every running container (berthd stopping without live restore). */
  stopAll(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The PATH a container (and a build stage, and an exec) gets when its image sets none, as dockerd's. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
