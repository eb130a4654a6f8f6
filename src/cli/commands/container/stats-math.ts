/**
 * docker stats' numbers from one raw stats sample (cli/command/container/
 * stats_helpers.go): CPU % from the usage deltas against precpu_stats, memory
 * without the page cache (inactive_file, cgroup v1 or v2), block and network
 * I/O summed, and the cells as docker prints them.
 */
import type { StatsSample } from '../../../client/container-types.js';
import { blockIo, cpuPercent, memoryUsage, networkIo } from '../../../client/stats-math.js';
import { goStruct } from '../../format/template.js';
import { bytesSize, humanSizeWithPrecision } from '../../format/units.js';
import { truncateId } from '../common.js';

export interface StatsEntry {
  container: string;
  name: string;
  id: string;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

// The sums and the CPU % live in the client: the dashboard draws its charts from the same numbers.
export { blockIo, cpuPercent, memoryUsage, networkIo };

export function statsEntry(container: string, sample: StatsSample): StatsEntry {
  const memory = memoryUsage(sample);
  const memoryLimit = sample.memory_stats.limit ?? 0;
  const block = blockIo(sample);
  const net = networkIo(sample);
  return {
    container,
    name: sample.name ?? '',
    id: sample.id ?? '',
    cpuPercent: cpuPercent(sample),
    memory,
    memoryLimit,
    memoryPercent: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    netRx: net.rx,
    netTx: net.tx,
    blockRead: block.read,
    blockWrite: block.write,
    pids: sample.pids_stats?.current ?? 0,
  };
}

/** An entry for a container whose stats could not be read (docker shows `--`). */
export function emptyEntry(container: string): StatsEntry {
  return { container, name: '', id: '', cpuPercent: 0, memory: 0, memoryLimit: 0, memoryPercent: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 0 };
}

export const STATS_HEADERS: Record<string, string> = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** The template row (docker's statsContext); keys sorted for `{{json .}}`. */
export function statsRow(entry: StatsEntry, trunc: boolean) {
  const pair = (a: number, b: number) => `${humanSizeWithPrecision(a, 3)} / ${humanSizeWithPrecision(b, 3)}`;
  return goStruct(
    {
      BlockIO: pair(entry.blockRead, entry.blockWrite),
      CPUPerc: `${entry.cpuPercent.toFixed(2)}%`,
      Container: entry.container,
      ID: trunc ? truncateId(entry.id) : entry.id,
      MemPerc: `${entry.memoryPercent.toFixed(2)}%`,
      MemUsage: `${bytesSize(entry.memory)} / ${bytesSize(entry.memoryLimit)}`,
      Name: entry.name.replace(/^\//, '') || '--',
      NetIO: pair(entry.netRx, entry.netTx),
      PIDs: String(entry.pids),
    },
    '*formatter.statsContext',
  );
}
