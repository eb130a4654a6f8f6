import { readFile, readlink } from 'node:fs/promises';

/** One interface's counters, named as docker stats' `networks` section names them. */
export interface NetDevCounters {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/**
 * The interfaces of a process's network namespace and their counters, from
 * /proc/<pid>/net/dev, loopback left out (as dockerd leaves it). Empty when
 * the process shares berthd's namespace (host networking: those are the
 * host's interfaces, not the container's) or is gone.
 */
export async function netDevCounters(pid: number): Promise<Record<string, NetDevCounters>> {
  const [mine, theirs] = await Promise.all([readlink('/proc/self/ns/net').catch(() => ''), readlink(`/proc/${pid}/ns/net`).catch(() => '')]);
  if (!theirs || theirs === mine) return {};
  const text = await readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => '');
  return parseNetDev(text);
}

/** /proc/net/dev: two header lines, then "name: 8 receive counters, 8 transmit counters". */
export function parseNetDev(text: string): Record<string, NetDevCounters> {
  const out: Record<string, NetDevCounters> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const n = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (name === 'lo' || n.length < 16) continue;
    out[name] = {
      rx_bytes: n[0]!, rx_packets: n[1]!, rx_errors: n[2]!, rx_dropped: n[3]!,
      tx_bytes: n[8]!, tx_packets: n[9]!, tx_errors: n[10]!, tx_dropped: n[11]!,
    };
  }
  return out;
}
