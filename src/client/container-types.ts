/**
 * Container and exec wire types of the Engine API, spelled as the API spells
 * them. Requests carry only what berth sets; the daemon treats an absent field
 * as its zero value, as it does for the Go client's zero-valued fields.
 */

export interface ContainerPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface ContainerSummary {
  Id: string;
  Names: string[] | null;
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: ContainerPort[] | null;
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string> | null;
  State: string;
  Status: string;
  Mounts?: Array<{ Name?: string; Source?: string; Type?: string; Driver?: string }> | null;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  Pid: number;
  ExitCode: number;
  Error?: string;
  StartedAt?: string;
  FinishedAt?: string;
  Health?: { Status: string } | null;
}

export type ContainerInspect = Record<string, unknown> & {
  Id: string;
  Name: string;
  State: ContainerState;
  Config: ContainerConfig;
  HostConfig: HostConfig;
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null } | null;
};

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig;
  Image?: string;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  Labels?: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

export interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: Record<string, unknown>;
  VolumeOptions?: Record<string, unknown>;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface HostConfig {
  Binds?: string[];
  ContainerIDFile?: string;
  LogConfig?: { Type: string; Config: Record<string, string> };
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[]>;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  VolumesFrom?: string[];
  ConsoleSize?: [number, number];
  CapAdd?: string[];
  CapDrop?: string[];
  Dns?: string[];
  ExtraHosts?: string[];
  Links?: string[];
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[];
  Tmpfs?: Record<string, string>;
  CpuShares?: number;
  Memory?: number;
  NanoCpus?: number;
  CpusetCpus?: string;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number;
  OomKillDisable?: boolean;
  PidsLimit?: number;
  ShmSize?: number;
  Ulimits?: Ulimit[];
  Mounts?: MountSpec[];
  Init?: boolean;
}

export interface CreateContainerRequest extends ContainerConfig {
  HostConfig: HostConfig;
  NetworkingConfig: { EndpointsConfig: Record<string, unknown> };
}

export interface CreateContainerResponse {
  Id: string;
  Warnings: string[] | null;
}

export interface WaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface TopResponse {
  Titles: string[];
  Processes: string[][] | null;
}

export interface ChangeItem {
  Path: string;
  /** 0 modified, 1 added, 2 deleted. */
  Kind: number;
}

export interface UpdateResources {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpusetCpus?: string;
  PidsLimit?: number;
  RestartPolicy?: RestartPolicy;
}

export interface ContainerPruneReport {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  pause?: boolean;
  changes?: readonly string[];
}

export interface ExecCreateRequest {
  User?: string;
  Privileged?: boolean;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStderr?: boolean;
  AttachStdout?: boolean;
  Detach?: boolean;
  DetachKeys?: string;
  Env?: string[];
  WorkingDir?: string;
  Cmd: string[];
  ConsoleSize?: [number, number];
}

export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  ContainerID: string;
}

/** The parts of one `stats` sample berth computes with (cgroup v1 and v2 shapes). */
export interface StatsSample {
  read: string;
  preread: string;
  name?: string;
  id?: string;
  pids_stats?: { current?: number; limit?: number };
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number>; commitbytes?: number; privateworkingset?: number };
  blkio_stats?: { io_service_bytes_recursive?: Array<{ major: number; minor: number; op: string; value: number }> | null };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
}

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[] | null; usage_in_kernelmode?: number; usage_in_usermode?: number };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** The `X-Docker-Container-Path-Stat` header of the archive API, decoded. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}
