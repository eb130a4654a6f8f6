import { invalid } from '../../lib/errors.js';
import { cpusetAvailable, onlineCpus } from '../../platform/linux/cgroups.js';
import type { HostConfig } from './types.js';

/**
 * Resource limits, checked in the order and with the words of dockerd's
 * verifyPlatformContainerResources and verifyPlatformContainerSettings
 * (daemon/daemon_unix.go), so that a value runc or the kernel would refuse
 * later is refused before anything is created.
 */
export function checkResources(h: HostConfig, update = false): void {
  checkMemory(h, update);
  checkCpus(h);
  checkCpusets(h);
  checkBlkio(h);
  checkPlatformSettings(h);
}

const MIN_MEMORY = 6 * 1024 * 1024;

function checkMemory(h: HostConfig, update: boolean): void {
  const memory = h.Memory ?? 0;
  const swap = h.MemorySwap ?? 0;
  const reservation = h.MemoryReservation ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory) throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  // An update may set the swap limit alone: the container's memory limit may be set already.
  if (memory === 0 && swap > 0 && !update) throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  const swappiness = h.MemorySwappiness;
  // -1 means "the default", as dockerd's fixMemorySwappiness reads it.
  if (typeof swappiness === 'number' && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw invalid(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (reservation < 0) throw invalid('invalid memory reservation');
  if (reservation > 0 && reservation < MIN_MEMORY) throw invalid('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > memory) throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  const kernelMemory = typeof h.KernelMemory === 'number' ? h.KernelMemory : 0;
  if (kernelMemory > 0 && kernelMemory < MIN_MEMORY) throw invalid('Minimum kernel memory limit allowed is 6MB');
  if (h.PidsLimit !== undefined && h.PidsLimit !== null && h.PidsLimit < -1) throw invalid('invalid PIDs limit');
}

function checkCpus(h: HostConfig): void {
  const nano = h.NanoCpus ?? 0;
  const period = h.CpuPeriod ?? 0;
  const quota = h.CpuQuota ?? 0;
  if (nano > 0 && period > 0) throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && quota > 0) throw invalid('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  const count = onlineCpus();
  if (nano < 0 || nano > count * 1e9) {
    throw invalid(`Range of CPUs is from 0.01 to ${count}.00, as there are only ${count} CPUs available`);
  }
  // A negative share count would reach runc as a huge unsigned number: refused here, not by the kernel.
  if ((h.CpuShares ?? 0) < 0) throw invalid('invalid CPU shares');
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (quota > 0 && quota < 1000) throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
}

function checkCpusets(h: HostConfig): void {
  for (const [kind, value, what, unavailable] of [
    ['cpus', h.CpusetCpus, 'cpuset cpus', 'Requested CPUs are not available'],
    ['mems', h.CpusetMems, 'cpuset mems', 'Requested memory nodes are not available'],
  ] as const) {
    if (!value) continue;
    const requested = parseUintList(value);
    if (!requested) throw invalid(`Invalid value ${value} for ${what}: invalid format: ${value}`);
    const available = cpusetAvailable(kind);
    const have = parseUintList(available) ?? new Set<number>();
    if ([...requested].some((n) => !have.has(n))) throw invalid(`${unavailable} - requested ${value}, available: ${available}`);
  }
}

/** Go's parsers.ParseUintList ("0-2,4"): the numbers listed, or null when the text is not such a list. */
export function parseUintList(text: string): Set<number> | null {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) return null;
    const low = Number(range[1]);
    const high = range[2] === undefined ? low : Number(range[2]);
    if (high < low) return null;
    for (let n = low; n <= high && n - low < 1 << 16; n++) out.add(n);
  }
  return out;
}

function checkBlkio(h: HostConfig): void {
  const weight = h.BlkioWeight ?? 0;
  if (weight !== 0 && (weight < 10 || weight > 1000)) throw invalid('Range of blkio weight is from 10 to 1000');
  // Windows-only settings: dockerd's validateQoS refuses them on Linux.
  if (numberOf(h.IOMaximumBandwidth) !== 0) throw invalid('Invalid QoS settings: linux does not support configuration of maximum bandwidth');
  if (numberOf(h.IOMaximumIOps) !== 0) throw invalid('Invalid QoS settings: linux does not support configuration of maximum IOPs');
}

const CGROUPNS_MODES = ['', 'private', 'host'];

function checkPlatformSettings(h: HostConfig): void {
  if ((h.ShmSize ?? 0) < 0) throw invalid('SHM size can not be less than 0');
  const oom = h.OomScoreAdj ?? 0;
  if (oom < -1000 || oom > 1000) throw invalid(`Invalid value ${oom}, range for oom score adj is [-1000, 1000]`);
  const cgroupns = typeof h.CgroupnsMode === 'string' ? h.CgroupnsMode : '';
  if (!CGROUPNS_MODES.includes(cgroupns)) throw invalid(`invalid cgroup namespace mode: ${cgroupns}`);
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
