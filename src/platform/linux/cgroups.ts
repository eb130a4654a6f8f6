import { readFileSync } from 'node:fs';
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { errnoCode } from '../../lib/errors.js';

/**
 * Reading (and removing) one container's cgroup, on hybrid/v1 hosts (one
 * hierarchy per controller under /sys/fs/cgroup/<controller>) and on pure v2
 * hosts (one tree at /sys/fs/cgroup). `path` is the cgroupfs path runc was
 * given as linux.cgroupsPath, e.g. "/berth/<id>".
 */

export const CGROUP_ROOT = '/sys/fs/cgroup';
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio', 'devices', 'freezer', 'net_cls', 'net_prio', 'perf_event', 'hugetlb', 'rdma', 'misc', 'systemd', 'unified'];
/** Linux's USER_HZ: cpuacct.stat and /proc/stat count in these ticks. */
const TICKS_PER_SECOND = 100;
const NS_PER_TICK = 1e9 / TICKS_PER_SECOND;

export interface CgroupStats {
  cpu: { totalNs: number; userNs: number; systemNs: number; perCpuNs: number[]; throttling: { periods: number; throttledPeriods: number; throttledNs: number } };
  memory: { usage: number; maxUsage: number; limit: number; cache: number; stats: Record<string, number> };
  /** dockerd's blkio_stats lists (io_service_bytes_recursive, …): those this cgroup has, one entry per device and operation. */
  blkio: BlkioStats;
  pids: { current: number; limit: number };
}

async function read(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function readNumber(path: string): Promise<number> {
  const text = await read(path);
  if (text === null || text === 'max') return 0;
  const n = Number(text);
  return Number.isFinite(n) ? n : 0;
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat) → map. */
export function parseFlatKeyed(text: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** A memory limit of "max" or v1's "unlimited" (a page-rounded 2^63) means the host's memory. */
function effectiveLimit(raw: string | null): number {
  const host = totalmem();
  if (raw === null || raw === 'max') return host;
  const n = Number(raw);
  return !Number.isFinite(n) || n <= 0 || n >= host ? host : n;
}

export async function readStats(path: string, v2: boolean): Promise<CgroupStats> {
  return v2 ? readStatsV2(join(CGROUP_ROOT, path)) : readStatsV1(path);
}

async function readStatsV1(path: string): Promise<CgroupStats> {
  const dir = (controller: string) => join(CGROUP_ROOT, controller, path);
  const [usage, perCpu, acctStat, cpuStat, memUsage, memMax, memLimit, memStat, blkio, pidsCurrent, pidsMax] = await Promise.all([
    readNumber(join(dir('cpuacct'), 'cpuacct.usage')),
    read(join(dir('cpuacct'), 'cpuacct.usage_percpu')),
    read(join(dir('cpuacct'), 'cpuacct.stat')),
    read(join(dir('cpu'), 'cpu.stat')),
    readNumber(join(dir('memory'), 'memory.usage_in_bytes')),
    readNumber(join(dir('memory'), 'memory.max_usage_in_bytes')),
    read(join(dir('memory'), 'memory.limit_in_bytes')),
    read(join(dir('memory'), 'memory.stat')),
    readBlkioV1(dir('blkio')),
    readNumber(join(dir('pids'), 'pids.current')),
    readNumber(join(dir('pids'), 'pids.max')),
  ]);
  const acct = parseFlatKeyed(acctStat);
  const throttle = parseFlatKeyed(cpuStat);
  const stats = parseFlatKeyed(memStat);
  return {
    cpu: {
      totalNs: usage,
      userNs: (acct.user ?? 0) * NS_PER_TICK,
      systemNs: (acct.system ?? 0) * NS_PER_TICK,
      perCpuNs: (perCpu ?? '').split(/\s+/).filter(Boolean).map(Number),
      throttling: { periods: throttle.nr_periods ?? 0, throttledPeriods: throttle.nr_throttled ?? 0, throttledNs: throttle.throttled_time ?? 0 },
    },
    memory: { usage: memUsage, maxUsage: memMax, limit: effectiveLimit(memLimit), cache: stats.total_cache ?? stats.cache ?? 0, stats },
    blkio,
    pids: { current: pidsCurrent, limit: pidsMax },
  };
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export type BlkioStats = Partial<Record<(typeof BLKIO_LISTS)[number], BlkioEntry[] | null>>;

export const BLKIO_LISTS = [
  'io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive',
  'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive',
] as const;

/**
 * The blkio files dockerd (through containerd) reads: the CFQ set where the
 * kernel has it, else the throttle pair. Each list is there, empty when the
 * file is (as dockerd copies them).
 */
async function readBlkioV1(dir: string): Promise<BlkioStats> {
  const cfq = (await read(join(dir, 'blkio.io_serviced_recursive'))) !== null;
  const files: [keyof BlkioStats, string][] = cfq
    ? [['sectors_recursive', 'sectors_recursive'], ['io_service_bytes_recursive', 'io_service_bytes_recursive'], ['io_serviced_recursive', 'io_serviced_recursive'],
      ['io_queue_recursive', 'io_queued_recursive'], ['io_service_time_recursive', 'io_service_time_recursive'], ['io_wait_time_recursive', 'io_wait_time_recursive'],
      ['io_merged_recursive', 'io_merged_recursive'], ['io_time_recursive', 'time_recursive']]
    : [['io_serviced_recursive', 'throttle.io_serviced'], ['io_service_bytes_recursive', 'throttle.io_service_bytes']];
  const out: BlkioStats = Object.fromEntries(BLKIO_LISTS.map((key) => [key, []]));
  await Promise.all(files.map(async ([key, file]) => (out[key] = blkioEntriesV1(await read(join(dir, `blkio.${file}`))))));
  return out;
}

function nullWhenEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}

/**
 * blkio.throttle.io_service_bytes: "8:0 Read 4096" lines, each an entry as
 * dockerd gives it (Read, Write, Sync, Async, Discard, Total); the closing
 * "Total N" line of the whole cgroup is not a device's, and dockerd skips it too.
 */
function blkioEntriesV1(text: string | null): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const fields = line.trim().split(/\s+/);
    // "8:0 Read 4096", or "8:0 4096" in the files without operations (sectors, time).
    const [device, op, value] = fields.length === 2 ? [fields[0], '', fields[1]] : fields;
    const [major, minor] = (device ?? '').split(':').map(Number);
    if (op === undefined || value === undefined || major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) continue;
    entries.push({ major, minor, op, value: Number(value) || 0 });
  }
  return entries;
}

async function readStatsV2(dir: string): Promise<CgroupStats> {
  const [cpuStat, memCurrent, memPeak, memMax, memStat, ioStat, pidsCurrent, pidsMax] = await Promise.all([
    read(join(dir, 'cpu.stat')),
    readNumber(join(dir, 'memory.current')),
    readNumber(join(dir, 'memory.peak')),
    read(join(dir, 'memory.max')),
    read(join(dir, 'memory.stat')),
    read(join(dir, 'io.stat')),
    readNumber(join(dir, 'pids.current')),
    readNumber(join(dir, 'pids.max')),
  ]);
  const cpu = parseFlatKeyed(cpuStat);
  const stats = parseFlatKeyed(memStat);
  return {
    cpu: {
      totalNs: (cpu.usage_usec ?? 0) * 1000,
      userNs: (cpu.user_usec ?? 0) * 1000,
      systemNs: (cpu.system_usec ?? 0) * 1000,
      perCpuNs: [],
      throttling: { periods: cpu.nr_periods ?? 0, throttledPeriods: cpu.nr_throttled ?? 0, throttledNs: (cpu.throttled_usec ?? 0) * 1000 },
    },
    memory: { usage: memCurrent, maxUsage: memPeak, limit: effectiveLimit(memMax), cache: stats.file ?? 0, stats },
    // dockerd 20.10 on cgroup v2 fills only the bytes, and leaves the list null when there is no device.
    blkio: { io_service_bytes_recursive: nullWhenEmpty(ioStatEntriesV2(ioStat)) },
    pids: { current: pidsCurrent, limit: pidsMax },
  };
}

/** io.stat: "8:0 rbytes=4096 wbytes=0 rios=1 …" lines; dockerd on cgroup v2 gives each device's read and write. */
function ioStatEntriesV2(text: string | null): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  for (const m of (text ?? '').matchAll(/^(\d+):(\d+)\s.*?\brbytes=(\d+).*?\bwbytes=(\d+)/gm)) {
    const [major, minor] = [Number(m[1]), Number(m[2])];
    entries.push({ major, minor, op: 'read', value: Number(m[3]) }, { major, minor, op: 'write', value: Number(m[4]) });
  }
  return entries;
}

/** Host CPU time since boot in ns: the sum of /proc/stat's "cpu" line (what docker stats divides by). */
export async function systemCpuNs(): Promise<number> {
  const text = (await read('/proc/stat')) ?? '';
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((sum, v) => sum + Number(v), 0);
  return ticks * NS_PER_TICK;
}

export function onlineCpus(): number {
  return cpus().length;
}

/**
 * The CPUs or memory nodes containers may use, as the root cpuset lists them
 * ("0-1"): what dockerd's sysinfo reads to check --cpuset-cpus/--cpuset-mems.
 * Falls back to what the kernel has online when no cpuset is mounted.
 */
export function cpusetAvailable(kind: 'cpus' | 'mems'): string {
  const candidates = [
    join(CGROUP_ROOT, 'cpuset', `cpuset.${kind}`),
    join(CGROUP_ROOT, `cpuset.${kind}.effective`),
    kind === 'cpus' ? '/sys/devices/system/cpu/online' : '/sys/devices/system/node/online',
  ];
  for (const path of candidates) {
    try {
      const text = readFileSync(path, 'utf8').trim();
      if (text !== '') return text;
    } catch {
      // not this hierarchy
    }
  }
  return kind === 'cpus' ? `0-${cpus().length - 1}` : '0';
}

/** The memory, cpu, … files of one controller, for tests and for reading a single limit. */
export function controllerDir(path: string, controller: string, v2: boolean): string {
  return v2 ? join(CGROUP_ROOT, path) : join(CGROUP_ROOT, controller, path);
}

/** Pids in the cgroup and any child cgroups (the pids controller on v1, the tree on v2). */
export async function cgroupPids(path: string, v2: boolean): Promise<number[]> {
  const root = controllerDir(path, 'pids', v2);
  const out: number[] = [];
  const walk = async (dir: string): Promise<void> => {
    const procs = await read(join(dir, 'cgroup.procs'));
    if (procs === null) return;
    for (const p of procs.split('\n')) if (p) out.push(Number(p));
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await walk(join(dir, e.name));
  };
  await walk(root);
  return out;
}

/**
 * Removes the cgroup directories for `path` in every hierarchy (children first).
 * Missing ones are fine; a busy one (processes still inside) is left and reported.
 */
export async function removeCgroup(path: string, v2: boolean): Promise<string[]> {
  const dirs = v2 ? [join(CGROUP_ROOT, path)] : V1_CONTROLLERS.map((c) => join(CGROUP_ROOT, c, path));
  // All hierarchies at once: this is on every container's exit path, and v1 has a dozen of them.
  // (cpu and cpuacct may be one hierarchy: the second rmdir then finds nothing, which is fine.)
  const removed = await Promise.all(dirs.map(removeTree));
  return dirs.filter((_, i) => !removed[i]);
}

async function removeTree(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (entries === null) return true;
  let ok = true;
  for (const e of entries) if (e.isDirectory()) ok = (await removeTree(join(dir, e.name))) && ok;
  try {
    await rmdir(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') return false;
  }
  return ok;
}
