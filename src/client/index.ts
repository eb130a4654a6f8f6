/**
 * BerthClient: the typed Engine API client the CLI, compose and the web
 * dashboard use. It speaks only HTTP, so it works against berthd and dockerd.
 */
import type { Readable } from 'node:stream';
import { ApiClient, type ClientOptions, type PingResult } from './client.js';
import * as images from './images.js';
import * as system from './system.js';
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
