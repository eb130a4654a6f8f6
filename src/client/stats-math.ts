/**
 * docker stats' numbers from one raw stats sample (cli/command/container/
 * stats_helpers.go): CPU % from the usage deltas against precpu_stats, memory
 * without the page cache (inactive_file, cgroup v1 or v2), block and network
 * I/O summed. Shared by `berth stats` and the dashboard's charts.
 */
import type { StatsSample } from './container-types.js';

export function cpuPercent(sample: StatsSample): number {
  const cpuDelta = sample.cpu_stats.cpu_usage.total_usage - (sample.precpu_stats.cpu_usage?.total_usage ?? 0);
  const systemDelta = (sample.cpu_stats.system_cpu_usage ?? 0) - (sample.precpu_stats.system_cpu_usage ?? 0);
  const online = sample.cpu_stats.online_cpus || sample.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** Usage minus the inactive page cache, as docker counts it. */
export function memoryUsage(sample: StatsSample): number {
  const usage = sample.memory_stats.usage ?? 0;
  const stats = sample.memory_stats.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

export function blockIo(sample: StatsSample): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = entry.op.toLowerCase()[0];
    if (op === 'r') read += entry.value;
    else if (op === 'w') write += entry.value;
  }
  return { read, write };
}

export function networkIo(sample: StatsSample): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(sample.networks ?? {})) {
    rx += net.rx_bytes;
    tx += net.tx_bytes;
  }
  return { rx, tx };
}
