/** Volume endpoints of the Engine API. */
import { pathSegment, type ApiClient } from './client.js';
import { encodeFilters } from './filters.js';
import type { Filters } from './types.js';

/** Docker's volume.Volume. */
export interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
  Scope: string;
  Status?: Record<string, unknown>;
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface VolumeCreateOptions {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

export interface VolumePruneReport {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

export async function listVolumes(api: ApiClient, filters?: Filters): Promise<{ Volumes: Volume[] | null; Warnings: string[] | null }> {
  return api.requestJson('GET', '/volumes', { query: { filters: encodeFilters(filters) } });
}

export function createVolume(api: ApiClient, options: VolumeCreateOptions): Promise<Volume> {
  return api.requestJson<Volume>('POST', '/volumes/create', { json: options });
}

/** The volume and the daemon's JSON as sent (inspect prints it verbatim, re-indented). */
export async function inspectVolume(api: ApiClient, name: string): Promise<{ value: Volume; raw: string }> {
  const { text } = await api.requestText('GET', `/volumes/${pathSegment(name)}`);
  return { value: JSON.parse(text) as Volume, raw: text };
}

export async function removeVolume(api: ApiClient, name: string, force = false): Promise<void> {
  const res = await api.request('DELETE', `/volumes/${pathSegment(name)}`, { query: { force: force ? '1' : undefined } });
  res.body.resume();
}

export function pruneVolumes(api: ApiClient, filters?: Filters): Promise<VolumePruneReport> {
  return api.requestJson<VolumePruneReport>('POST', '/volumes/prune', { query: { filters: encodeFilters(filters) } });
}
