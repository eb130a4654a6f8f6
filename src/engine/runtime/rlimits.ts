import { readFile } from 'node:fs/promises';
import { invalid } from '../../lib/errors.js';
import type { Rlimit } from './types.js';

/**
 * --ulimit names → OCI rlimit types, and the check that keeps them within
 * berthd's own hard limits: conmon and runc inherit berthd's limits, and runc
 * fails with EPERM half-way through starting when asked for more.
 */

/** Docker's names (go-units ulimit) → RLIMIT_*, with the /proc/<pid>/limits row that holds the same limit. */
const RLIMITS: Record<string, { type: string; row: string }> = {
  as: { type: 'RLIMIT_AS', row: 'Max address space' },
  core: { type: 'RLIMIT_CORE', row: 'Max core file size' },
  cpu: { type: 'RLIMIT_CPU', row: 'Max cpu time' },
  data: { type: 'RLIMIT_DATA', row: 'Max data size' },
  fsize: { type: 'RLIMIT_FSIZE', row: 'Max file size' },
  locks: { type: 'RLIMIT_LOCKS', row: 'Max file locks' },
  memlock: { type: 'RLIMIT_MEMLOCK', row: 'Max locked memory' },
  msgqueue: { type: 'RLIMIT_MSGQUEUE', row: 'Max msgqueue size' },
  nice: { type: 'RLIMIT_NICE', row: 'Max nice priority' },
  nofile: { type: 'RLIMIT_NOFILE', row: 'Max open files' },
  nproc: { type: 'RLIMIT_NPROC', row: 'Max processes' },
  rss: { type: 'RLIMIT_RSS', row: 'Max resident set' },
  rtprio: { type: 'RLIMIT_RTPRIO', row: 'Max realtime priority' },
  rttime: { type: 'RLIMIT_RTTIME', row: 'Max realtime timeout' },
  sigpending: { type: 'RLIMIT_SIGPENDING', row: 'Max pending signals' },
  stack: { type: 'RLIMIT_STACK', row: 'Max stack size' },
};

export interface OciRlimit {
  type: string;
  soft: number;
  hard: number;
}

/** Hard limits of this process (berthd), by Docker name; Infinity for "unlimited". */
export async function ownHardLimits(): Promise<Map<string, number>> {
  const text = await readFile('/proc/self/limits', 'utf8');
  const byRow = new Map<string, number>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (m) byRow.set(m[1]!.trim(), m[3] === 'unlimited' ? Infinity : Number(m[3]));
  }
  const out = new Map<string, number>();
  for (const [name, { row }] of Object.entries(RLIMITS)) {
    const hard = byRow.get(row);
    if (hard !== undefined) out.set(name, hard);
  }
  return out;
}

/**
 * Validates and converts the requested rlimits. Refuses unknown names, soft > hard,
 * and anything above berthd's own hard limit, with a message that says what to do.
 */
export function toOciRlimits(rlimits: readonly Rlimit[], hardLimits: Map<string, number>): OciRlimit[] {
  return rlimits.map((r) => {
    const name = r.name.toLowerCase().replace(/^rlimit_/, '');
    const known = RLIMITS[name];
    if (!known) throw invalid(`invalid ulimit type: ${r.name}`);
    if (r.soft > r.hard) throw invalid(`ulimit soft limit must be less than or equal to hard limit: ${r.soft} > ${r.hard}`);
    const max = hardLimits.get(name) ?? Infinity;
    if (r.hard > max) {
      throw invalid(
        `ulimit ${name}=${r.soft}:${r.hard} exceeds the daemon's hard limit for ${name} (${max}); ` +
          `lower it to at most ${max} or raise berthd's limit (e.g. LimitNOFILE= in its service)`,
      );
    }
    return { type: known.type, soft: r.soft, hard: r.hard };
  });
}
