import { goMapOrder } from '../../lib/go-map.js';
import { cgroupVersion, swapLimitSupported } from '../../platform/linux/host.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from '../runtime/types.js';
import type { HostConfig } from './types.js';

/** dockerd's default /dev/shm size (64 MiB). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/**
 * What dockerd writes into a new container's HostConfig (moby's create and
 * adaptContainerSettings), so that inspect shows what the container runs
 * with: the IPC and cgroup namespace modes, the /dev/shm size, and the paths
 * masked or made read-only in /proc and /sys (none for a privileged one).
 * A pids limit of 0 or below and a swappiness of -1 mean "unset", shown as
 * null. A memory limit without a swap limit allows as much swap again (where
 * the kernel limits swap). Everything else stays as the client sent it (an
 * absent Dns is null), ulimits and log options in the order Go writes them.
 */
export async function withCreateDefaults(h: HostConfig): Promise<HostConfig> {
  const out: HostConfig = { ...h };
  out.IpcMode ||= 'private';
  out.ShmSize ||= DEFAULT_SHM_SIZE;
  out.CgroupnsMode ||= (await cgroupVersion()) === '2' ? 'private' : 'host';
  if (!out.Privileged) {
    out.MaskedPaths ??= [...DEFAULT_MASKED_PATHS];
    out.ReadonlyPaths ??= [...DEFAULT_READONLY_PATHS];
  }
  if (out.PidsLimit !== undefined && out.PidsLimit !== null && out.PidsLimit <= 0) delete out.PidsLimit;
  if (out.MemorySwappiness === -1) delete out.MemorySwappiness;
  if ((out.Memory ?? 0) > 0 && !out.MemorySwap && (await swapLimitSupported())) out.MemorySwap = out.Memory! * 2;
  // In units.Ulimit's field order (Name, Hard, Soft), as dockerd writes them back whatever order the client sent.
  if (out.Ulimits) out.Ulimits = out.Ulimits.map(({ Name, Hard, Soft }) => ({ Name, Hard, Soft }));
  if (out.LogConfig?.Config) out.LogConfig = { ...out.LogConfig, Config: goMapOrder(out.LogConfig.Config) };
  return out;
}
