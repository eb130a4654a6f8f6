import { invalid, notImplemented } from '../../lib/errors.js';
import type { HostConfig } from './types.js';

/**
 * The namespace modes and isolation of a HostConfig, checked at create.
 * Whether a `container:<x>` target exists and runs is checked at start, as
 * dockerd does (see namespace-targets.ts).
 */

const ALLOWED: Record<'pid' | 'ipc' | 'uts', RegExp> = {
  pid: /^(|host|container:.+)$/,
  ipc: /^(|host|private|shareable|container:.+)$/,
  uts: /^(|host)$/,
};

export function checkNamespaceModes(h: HostConfig): void {
  for (const [name, mode] of [['pid', h.PidMode], ['ipc', h.IpcMode], ['uts', h.UTSMode]] as const) {
    if (mode === undefined || mode === null || ALLOWED[name].test(mode)) continue;
    throw notImplemented(`${name} mode "${mode}" is not supported by this berthd yet`);
  }
}

/** dockerd's verifyPlatformContainerSettings: Linux knows only the default isolation. */
export function checkIsolation(h: HostConfig): void {
  const isolation = h.Isolation;
  if (isolation === undefined || isolation === null || isolation === '') return;
  if (isolation.toLowerCase() !== 'default') {
    throw invalid(`Invalid isolation: ${JSON.stringify(isolation)} - linux only supports 'default'`);
  }
}
