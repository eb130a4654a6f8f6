/**
 * What the dashboard's server sends its browsers: shared by the server
 * (src/dashboard/server) and the front end (src/dashboard/web), so it imports
 * nothing.
 */
export type Role = 'admin' | 'operator' | 'viewer';

export interface SessionInfo {
  user: { name: string; role: Role };
  csrf: string;
}

export interface HostSummary {
  name: string;
  /** As in DOCKER_HOST. */
  host: string;
  /** 'file': from --hosts (read-only in the UI); 'ui': added by an admin. */
  source: 'file' | 'ui';
  tls: boolean;
  /** Where published ports are reached: the TCP host name, or '' for a local socket (the dashboard's own address). */
  portHost: string;
  reachable: boolean;
  error?: string;
  /** ms since the epoch of the last successful refresh. */
  checked?: number;
  engine?: {
    version: string;
    apiVersion: string;
    os: string;
    kernel: string;
    arch: string;
    cpus: number;
    memory: number;
    name: string;
  };
  counts?: { running: number; paused: number; stopped: number; images: number };
  /** Bytes, from /system/df. */
  disk?: { images: number; containers: number; volumes: number; buildCache: number };
}

export interface PortInfo {
  ip?: string;
  privatePort: number;
  publicPort?: number;
  type: string;
}

export interface ContainerRow {
  host: string;
  id: string;
  name: string;
  image: string;
  command: string;
  state: string;
  status: string;
  /** healthy, unhealthy, starting, or '' without a health check. */
  health: string;
  ports: PortInfo[];
  /** Seconds since the epoch. */
  created: number;
  labels: Record<string, string>;
}

export const CONTAINER_ACTIONS = ['start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'remove'] as const;
export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

/** Messages on the live WebSocket (/api/live). */
export type LiveMessage =
  | { type: 'hosts'; hosts: HostSummary[] }
  | { type: 'host'; host: HostSummary }
  | { type: 'host-removed'; name: string }
  | { type: 'containers'; host: string; containers: ContainerRow[] }
  | { type: 'usage'; host: string; usage: Record<string, ContainerUsage> };

/** A running container's CPU and memory, sampled every few seconds while a browser watches (keyed by container ID). */
export interface ContainerUsage {
  /** As docker stats: 100 is one CPU's worth. */
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
}

export interface ImageRow {
  host: string;
  id: string;
  /** repo:tag names; empty for an untagged image. */
  tags: string[];
  size: number;
  created: number;
  containers: number;
}

export interface NetworkRow {
  host: string;
  id: string;
  name: string;
  driver: string;
  scope: string;
  subnets: string[];
  internal: boolean;
  created: string;
}

export interface VolumeRow {
  host: string;
  name: string;
  driver: string;
  mountpoint: string;
  created: string;
}

/** A list gathered from every host: the rows of those that answered, and why the others did not. */
export interface AcrossHosts<T> {
  rows: T[];
  errors: Record<string, string>;
}

/** One point of a container's live stats (the dashboard's charts): docker stats' numbers, byte counters cumulative. */
export interface StatsPoint {
  /** Milliseconds since the epoch, from the sample's `read`. */
  time: number;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}
