/**
 * Engine API wire types the client uses, spelled as the API spells them
 * (docker-engine-api-v1.45.yaml). Only fields berth's commands read are
 * typed; inspect results stay loosely typed because they are printed as the
 * daemon sent them.
 */

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize?: number;
  Labels: Record<string, string> | null;
  Containers: number;
}

export type ImageInspect = Record<string, unknown> & {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: Record<string, unknown> | null;
  Size?: number;
};

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface ImageDeleteItem {
  Untagged?: string;
  Deleted?: string;
}

export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteItem[] | null;
  SpaceReclaimed: number;
}

/** One message of a JSON progress stream (pull, load, import). */
export interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

export interface ComponentVersion {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

export interface VersionResponse {
  Platform?: { Name: string };
  Components?: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
}

/** GET /info. Fields printed by `info`; the rest pass through for --format. */
export type SystemInfo = Record<string, unknown> & {
  ID?: string;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  Driver?: string;
  DriverStatus?: Array<[string, string]> | null;
  SystemStatus?: Array<[string, string]> | null;
  Plugins?: { Volume?: string[] | null; Network?: string[] | null; Authorization?: string[] | null; Log?: string[] | null };
  MemTotal?: number;
  NCPU?: number;
  Swarm?: { LocalNodeState?: string };
  Runtimes?: Record<string, unknown> | null;
  Warnings?: string[] | null;
};

import type { ContainerSummary } from './container-types.js';
export type { ContainerSummary };

export interface VolumeSummary {
  Name: string;
  Driver: string;
  Mountpoint: string;
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface BuildCacheRecord {
  ID: string;
  Type: string;
  Description?: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt?: string | null;
  UsageCount: number;
}

export interface DiskUsage {
  LayersSize: number;
  Images: ImageSummary[] | null;
  Containers: ContainerSummary[] | null;
  Volumes: VolumeSummary[] | null;
  BuildCache: BuildCacheRecord[] | null;
}

/** Docker's filters.Args: key → set of values (sent as `{"key":{"value":true}}`). */
export type Filters = Record<string, string[]>;
