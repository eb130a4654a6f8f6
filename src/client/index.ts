/**
 * BerthClient: the typed Engine API client the CLI, compose and the web
 * dashboard use. It speaks only HTTP, so it works against berthd and dockerd.
 */
import type { Readable } from 'node:stream';
import * as builds from './build.js';
import { ApiClient, type ClientOptions, type PingResult } from './client.js';
import * as containers from './containers.js';
import * as distribution from './distribution.js';
import * as exec from './exec.js';
import * as images from './images.js';
import * as networks from './networks.js';
import * as system from './system.js';
import * as volumes from './volumes.js';
import type { Hijacked } from './transport.js';
import type * as ct from './container-types.js';
import type { DiskUsage, Filters, HistoryItem, ImageDeleteItem, ImageInspect, ImagePruneReport, ImageSummary, SystemInfo, VersionResponse } from './types.js';

export class BerthClient {
  readonly api: ApiClient;

  constructor(options: ClientOptions) {
    this.api = new ApiClient(options);
  }

  get host(): string {
    return this.api.host;
  }

  ping(): Promise<PingResult> {
    return this.api.ping();
  }
  /** The negotiated API version (`1.41` against dockerd 20.10). */
  apiVersion(): Promise<string> {
    return this.api.apiVersion();
  }
  version(): Promise<VersionResponse> {
    return system.version(this.api);
  }
  info(): Promise<SystemInfo> {
    return system.info(this.api);
  }
  systemDf(types?: readonly system.DiskUsageType[]): Promise<DiskUsage> {
    return system.systemDf(this.api, types);
  }
  listImages(options?: images.ListImagesOptions): Promise<ImageSummary[]> {
    return images.listImages(this.api, options);
  }
  inspectImage(name: string): Promise<images.InspectResult<ImageInspect>> {
    return images.inspectImage(this.api, name);
  }
  imageHistory(name: string): Promise<HistoryItem[]> {
    return images.imageHistory(this.api, name);
  }
  tagImage(source: string, target: string): Promise<void> {
    return images.tagImage(this.api, source, target);
  }
  removeImage(name: string, options?: images.RemoveImageOptions): Promise<ImageDeleteItem[]> {
    return images.removeImage(this.api, name, options);
  }
  importImage(options: images.ImportImageOptions): Promise<Readable> {
    return images.importImage(this.api, options);
  }
  saveImages(names: readonly string[]): Promise<Readable> {
    return images.saveImages(this.api, names);
  }
  loadImages(tar: Readable, options?: { quiet?: boolean }): Promise<images.LoadResult> {
    return images.loadImages(this.api, tar, options);
  }
  pruneImages(filters?: Filters): Promise<ImagePruneReport> {
    return images.pruneImages(this.api, filters);
  }
  pullImage(name: string, tag: string, options?: { platform?: string; auth?: distribution.RegistryAuth }): Promise<Readable> {
    return distribution.pull(this.api, name, tag, options);
  }
  pushImage(name: string, tag: string | undefined, auth?: distribution.RegistryAuth): Promise<Readable> {
    return distribution.push(this.api, name, tag, auth);
  }
  registryLogin(auth: distribution.RegistryAuth): Promise<{ Status: string; IdentityToken?: string }> {
    return distribution.login(this.api, auth);
  }
  searchImages(term: string, options?: { limit?: number; filters?: Filters; auth?: distribution.RegistryAuth }): Promise<distribution.SearchResult[]> {
    return distribution.search(this.api, term, options);
  }
  /** POST /build: `context` is the (possibly compressed) tar, or null with `options.remote`; resolves with the JSON message stream. */
  build(context: Readable | null, options: builds.BuildOptions): Promise<Readable> {
    return builds.build(this.api, context, options);
  }

  // Containers.
  createContainer(body: ct.CreateContainerRequest, options?: { name?: string; platform?: string }): Promise<ct.CreateContainerResponse> {
    return containers.createContainer(this.api, body, options);
  }
  listContainers(options?: containers.ListContainersOptions): Promise<ct.ContainerSummary[]> {
    return containers.listContainers(this.api, options);
  }
  inspectContainer(id: string, options?: { size?: boolean }): Promise<images.InspectResult<ct.ContainerInspect>> {
    return containers.inspectContainer(this.api, id, options);
  }
  startContainer(id: string, options?: { detachKeys?: string }): Promise<void> {
    return containers.startContainer(this.api, id, options);
  }
  stopContainer(id: string, options?: { timeout?: number; signal?: string }): Promise<void> {
    return containers.stopContainer(this.api, id, options);
  }
  restartContainer(id: string, options?: { timeout?: number; signal?: string }): Promise<void> {
    return containers.restartContainer(this.api, id, options);
  }
  killContainer(id: string, signal?: string): Promise<void> {
    return containers.killContainer(this.api, id, signal);
  }
  pauseContainer(id: string): Promise<void> {
    return containers.pauseContainer(this.api, id);
  }
  unpauseContainer(id: string): Promise<void> {
    return containers.unpauseContainer(this.api, id);
  }
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<void> {
    return containers.removeContainer(this.api, id, options);
  }
  renameContainer(id: string, name: string): Promise<void> {
    return containers.renameContainer(this.api, id, name);
  }
  /** Resolves when the waiter is registered, with a promise of the exit status. */
  waitContainer(id: string, condition?: 'not-running' | 'next-exit' | 'removed'): Promise<{ result: Promise<ct.WaitResponse> }> {
    return containers.waitContainer(this.api, id, condition);
  }
  topContainer(id: string, psArgs?: string): Promise<ct.TopResponse> {
    return containers.topContainer(this.api, id, psArgs);
  }
  containerChanges(id: string): Promise<ct.ChangeItem[]> {
    return containers.containerChanges(this.api, id);
  }
  commitContainer(id: string, options?: ct.CommitOptions): Promise<{ Id: string }> {
    return containers.commitContainer(this.api, id, options);
  }
  exportContainer(id: string): Promise<Readable> {
    return containers.exportContainer(this.api, id);
  }
  statContainerPath(id: string, path: string): Promise<ct.PathStat> {
    return containers.statContainerPath(this.api, id, path);
  }
  getArchive(id: string, path: string): Promise<{ stat: ct.PathStat; tar: Readable }> {
    return containers.getArchive(this.api, id, path);
  }
  putArchive(id: string, path: string, tar: Readable, options?: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean }): Promise<void> {
    return containers.putArchive(this.api, id, path, tar, options);
  }
  containerStats(id: string, stream: boolean): Promise<Readable> {
    return containers.containerStats(this.api, id, stream);
  }
  updateContainer(id: string, resources: ct.UpdateResources): Promise<{ Warnings: string[] | null }> {
    return containers.updateContainer(this.api, id, resources);
  }
  pruneContainers(filters?: Filters): Promise<ct.ContainerPruneReport> {
    return containers.pruneContainers(this.api, filters);
  }
  containerLogs(id: string, options?: containers.LogsOptions): Promise<Readable> {
    return containers.containerLogs(this.api, id, options);
  }
  attachContainer(id: string, options: containers.AttachOptions): Promise<Hijacked> {
    return containers.attachContainer(this.api, id, options);
  }
  resizeContainer(id: string, height: number, width: number): Promise<void> {
    return containers.resizeContainer(this.api, id, height, width);
  }

  // Exec.
  createExec(container: string, body: ct.ExecCreateRequest): Promise<{ Id: string }> {
    return exec.createExec(this.api, container, body);
  }
  startExecDetached(id: string, tty: boolean): Promise<void> {
    return exec.startExecDetached(this.api, id, tty);
  }
  startExecAttached(id: string, tty: boolean, consoleSize?: [number, number]): Promise<Hijacked> {
    return exec.startExecAttached(this.api, id, tty, consoleSize);
  }
  inspectExec(id: string): Promise<ct.ExecInspect> {
    return exec.inspectExec(this.api, id);
  }
  resizeExec(id: string, height: number, width: number): Promise<void> {
    return exec.resizeExec(this.api, id, height, width);
  }

  // Networks.
  listNetworks(filters?: Filters): Promise<networks.NetworkResource[]> {
    return networks.listNetworks(this.api, filters);
  }
  async inspectNetwork(id: string): Promise<networks.NetworkResource> {
    return (await networks.inspectNetwork(this.api, id)).value;
  }
  createNetwork(options: networks.NetworkCreateOptions): Promise<{ Id: string; Warning?: string }> {
    return networks.createNetwork(this.api, options);
  }
  removeNetwork(id: string): Promise<void> {
    return networks.removeNetwork(this.api, id);
  }
  connectNetwork(network: string, container: string, endpoint?: networks.EndpointConfig): Promise<void> {
    return networks.connectNetwork(this.api, network, container, endpoint);
  }
  disconnectNetwork(network: string, container: string, force?: boolean): Promise<void> {
    return networks.disconnectNetwork(this.api, network, container, force);
  }

  // Volumes.
  async listVolumes(filters?: Filters): Promise<volumes.Volume[]> {
    return (await volumes.listVolumes(this.api, filters)).Volumes ?? [];
  }
  async inspectVolume(name: string): Promise<volumes.Volume> {
    return (await volumes.inspectVolume(this.api, name)).value;
  }
  createVolume(options: volumes.VolumeCreateOptions): Promise<volumes.Volume> {
    return volumes.createVolume(this.api, options);
  }
  removeVolume(name: string, force?: boolean): Promise<void> {
    return volumes.removeVolume(this.api, name, force);
  }

  close(): void {
    this.api.close();
  }
}

export { ApiClient, MAX_API_VERSION, compareVersions, encodeQuery } from './client.js';
export type { ClientOptions, PingResult } from './client.js';
export { ClientError } from './http.js';
export { ConnectionError, parseHost } from './transport.js';
export type { TlsOptions, TransportOptions } from './transport.js';
export { encodeFilters, filtersFromFlags, parseFilterFlag } from './filters.js';
export { readJsonMessages } from './jsonstream.js';
export type * from './types.js';
export type {
  ChangeItem, CommitOptions, ContainerConfig, ContainerInspect, ContainerPort, ContainerPruneReport, ContainerState, CreateContainerRequest,
  CreateContainerResponse, CpuStats, ExecCreateRequest, ExecInspect, HealthConfig, HostConfig, MountSpec, PathStat, PortBinding, RestartPolicy,
  StatsSample, TopResponse, Ulimit, UpdateResources, WaitResponse,
} from './container-types.js';
export type { Hijacked } from './transport.js';
export type { AttachOptions, ListContainersOptions, LogsOptions } from './containers.js';
export type { BuildOptions } from './build.js';
export type { EndpointConfig, NetworkCreateOptions, NetworkResource } from './networks.js';
export type { Volume, VolumeCreateOptions } from './volumes.js';
export { Demuxer, demultiplex, encodeFrame } from './stdcopy.js';
