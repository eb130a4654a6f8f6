/** System endpoints of the Engine API. */
import type { ApiClient } from './client.js';
import type { DiskUsage, SystemInfo, VersionResponse } from './types.js';

export function version(api: ApiClient): Promise<VersionResponse> {
  return api.requestJson<VersionResponse>('GET', '/version');
}

export function info(api: ApiClient): Promise<SystemInfo> {
  return api.requestJson<SystemInfo>('GET', '/info');
}

export type DiskUsageType = 'container' | 'image' | 'volume' | 'build-cache';

export function systemDf(api: ApiClient, types?: readonly DiskUsageType[]): Promise<DiskUsage> {
  return api.requestJson<DiskUsage>('GET', '/system/df', { query: { type: types && types.length ? types : undefined } });
}
