import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, hostname, machine, release, totalmem } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Facts about the host that `docker info` and `docker version` report. */
export interface HostFacts {
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  architecture: string;
  cpus: number;
  memTotal: number;
  hostname: string;
  cgroupVersion: '1' | '2';
  cgroupDriver: 'cgroupfs' | 'systemd';
}

export async function hostFacts(): Promise<HostFacts> {
  const osRelease = await readOsRelease();
  return {
    kernelVersion: release(),
    operatingSystem: osRelease.PRETTY_NAME ?? 'Linux',
    osVersion: osRelease.VERSION_ID ?? '',
    architecture: machine(),
    cpus: cpus().length,
    memTotal: totalmem(),
    hostname: hostname(),
    cgroupVersion: await cgroupVersion(),
    cgroupDriver: 'cgroupfs',
  };
}

async function readOsRelease(): Promise<Record<string, string>> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/**
 * "2" only on a pure v2 host (cgroup2 mounted at /sys/fs/cgroup); hybrid hosts,
 * with v1 controllers beside a v2 tree, are v1 for the runtime's purposes.
 */
let cgroupVersionFound: Promise<'1' | '2'> | undefined;

/** The host's cgroup version, looked up once: it cannot change while the host runs (every create asks). */
export function cgroupVersion(): Promise<'1' | '2'> {
  cgroupVersionFound ??= stat('/sys/fs/cgroup/cgroup.controllers').then(() => '2' as const, () => '1' as const);
  return cgroupVersionFound;
}

let swapLimitFound: Promise<boolean> | undefined;

/** Whether the memory controller limits swap (cgroup v2's memory.swap.max, v1's memory.memsw.limit_in_bytes), looked up once. */
export function swapLimitSupported(): Promise<boolean> {
  swapLimitFound ??= cgroupVersion().then((v) => stat(v === '2' ? '/sys/fs/cgroup/memory.swap.max' : '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes')).then(() => true, () => false);
  return swapLimitFound;
}

type ToolVersion = { version: string; commit: string };
const toolVersions = new Map<string, { identity: string; found: Promise<ToolVersion | null> }>();

/**
 * The version line and commit of an OCI runtime or monitor binary, or null when
 * it is not installed. Asked once per binary file: `version` and `info` would
 * otherwise run it on every request (~20 ms each here); a binary replaced on
 * disk (another inode, size or time) is asked again.
 */
export async function toolVersion(binary: string): Promise<ToolVersion | null> {
  const path = await onPath(binary);
  if (!path) return null;
  const info = await stat(path).catch(() => null);
  if (!info) return null;
  const identity = `${info.ino}:${info.size}:${info.mtimeMs}`;
  const cached = toolVersions.get(path);
  if (cached?.identity === identity) return cached.found;
  const found = askVersion(path);
  toolVersions.set(path, { identity, found });
  return found;
}

async function askVersion(path: string): Promise<ToolVersion | null> {
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 5000 });
    const version = /version:?\s+v?(\S+)/i.exec(stdout)?.[1] ?? stdout.split('\n')[0]!.trim();
    const commit = /commit:\s*(\S+)/i.exec(stdout)?.[1] ?? '';
    return { version, commit };
  } catch {
    return null;
  }
}

/** A command name resolved along PATH as exec would (a name with a slash is itself), or null. */
async function onPath(binary: string): Promise<string | null> {
  const candidates = binary.includes('/') ? [binary] : (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').map((dir) => join(dir || '.', binary));
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return null;
}
