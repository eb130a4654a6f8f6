import { invalid } from '../../lib/errors.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, type RuntimeMount, type RuntimeSpec, type SeccompSetting } from '../runtime/types.js';
import type { Container, HostConfig } from './types.js';
import { daemonEnv } from './merge.js';
import type { RuntimeUser } from '../runtime/types.js';
import type { JoinedNamespaces } from './namespace-targets.js';
import { existsSync } from 'node:fs';

const DEFAULT_SHM = 64 * 1024 * 1024;
/** Debian's tini-static: the dynamically linked tini cannot run in images without glibc. */
export const INIT_BINARY = '/usr/bin/tini-static';

export interface StartContext {
  rootfs: string;
  /** Volumes, binds and tmpfs mounts, already set up by the mount planner. */
  mounts: RuntimeMount[];
  /** The network namespace the network area prepared, and the variables of --link. */
  network: { namespace: RuntimeSpec['namespaces']['network']; env: string[] };
  user: RuntimeUser;
  home: string;
  /** --pid/--ipc container:<x> and the /dev/shm to bind (namespace-targets.ts). */
  joined?: JoinedNamespaces;
}

/** The OCI-level description of a container, from its record (Docker's daemon/oci_linux.go, in our terms). */
export function runtimeSpecOf(c: Container, ctx: StartContext): RuntimeSpec {
  const h = c.hostConfig;
  const joined = ctx.joined ?? {};
  return {
    id: c.id,
    rootfs: ctx.rootfs,
    readonlyRootfs: !!h.ReadonlyRootfs,
    // As dockerd: only --uts host shares the host's name; --network host keeps a private UTS namespace.
    hostname: c.config.Hostname ?? '',
    domainname: c.config.Domainname ?? '',
    process: {
      args: [c.path, ...c.args],
      env: processEnv(c, ctx.home, ctx.network.env),
      cwd: c.config.WorkingDir || '/',
      user: ctx.user,
      terminal: !!c.config.Tty,
      consoleSize: consoleSizeOf(h.ConsoleSize),
      noNewPrivileges: noNewPrivileges(h),
      capabilities: capabilities(h),
      rlimits: (h.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
      oomScoreAdj: h.OomScoreAdj || undefined,
    },
    mounts: byDepth([...ctx.mounts, ...etcMounts(c, !!h.ReadonlyRootfs)]),
    privileged: !!h.Privileged,
    seccomp: seccompOf(h),
    resources: resourcesOf(h),
    namespaces: {
      network: ctx.network.namespace,
      pid: joined.pid ?? (h.PidMode === 'host' ? 'host' : 'new'),
      ipc: joined.ipc ?? (h.IpcMode === 'host' ? 'host' : 'new'),
      uts: h.UTSMode === 'host' ? 'host' : 'new',
    },
    shmSize: h.ShmSize || DEFAULT_SHM,
    shmSource: joined.shmSource,
    sysctls: { ...defaultSysctls(h), ...domainnameSysctl(c), ...h.Sysctls },
    devices: (h.Devices ?? []).map((d) => ({ pathOnHost: d.PathOnHost, pathInContainer: d.PathInContainer || d.PathOnHost, cgroupPermissions: d.CgroupPermissions || 'rwm' })),
    init: h.Init ? INIT_BINARY : undefined,
    annotations: {},
    cgroupParent: h.CgroupParent || '/berth',
    deviceCgroupRules: h.DeviceCgroupRules ?? [],
  };
}

/**
 * dockerd's sysctls for a container with its own network namespace (not host,
 * not container:<x>): ping without CAP_NET_RAW, ports below 1024 without
 * CAP_NET_BIND_SERVICE (when the kernel has that knob). --sysctl overrides them.
 */
/** HostConfig.ConsoleSize ([height, width]) for runc's pty, unless a side is 0 (no size known: the pty's default). */
function consoleSizeOf(size: HostConfig['ConsoleSize']): { height: number; width: number } | undefined {
  const [height, width] = size ?? [0, 0];
  return height > 0 && width > 0 ? { height, width } : undefined;
}

function defaultSysctls(h: HostConfig): Record<string, string> {
  const mode = h.NetworkMode ?? '';
  if (mode === 'host' || mode.startsWith('container:')) return {};
  const out: Record<string, string> = { 'net.ipv4.ping_group_range': '0 2147483647' };
  if (hasUnprivilegedPortStart()) out['net.ipv4.ip_unprivileged_port_start'] = '0';
  return out;
}

/**
 * As dockerd's setLinuxDomainname: the NIS domain name through the
 * kernel.domainname sysctl, which runc 1.1 applies (it ignores the OCI
 * domainname field).
 */
function domainnameSysctl(c: Container): Record<string, string> {
  if (!c.config.Domainname || c.hostConfig.UTSMode === 'host') return {};
  return { 'kernel.domainname': c.config.Domainname };
}

let unprivilegedPortStart: boolean | undefined;
function hasUnprivilegedPortStart(): boolean {
  unprivilegedPortStart ??= existsSync('/proc/sys/net/ipv4/ip_unprivileged_port_start');
  return unprivilegedPortStart;
}

/** dockerd sorts mounts by depth, so a volume at /etc never hides /etc/hosts (stable: equal depths keep their order). */
function byDepth(mounts: RuntimeMount[]): RuntimeMount[] {
  const depth = (m: RuntimeMount) => m.destination.split('/').filter(Boolean).length;
  return mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i).map(({ m }) => m);
}

/** dockerd's environment for the container (see daemonEnv); HOME last when still missing, as runc would set it. */
function processEnv(c: Container, home: string, linkEnv: string[]): string[] {
  const env = daemonEnv(c.config, !!c.config.Tty, linkEnv);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${home || '/'}`);
  return env;
}

function noNewPrivileges(h: HostConfig): boolean {
  return (h.SecurityOpt ?? []).some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o));
}

function normaliseCap(name: string): string {
  const upper = name.toUpperCase();
  return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Docker's capability arithmetic: defaults, plus --cap-add, minus --cap-drop; ALL on either side. */
export function capabilities(h: HostConfig): string[] {
  if (h.Privileged) return [...ALL_CAPABILITIES];
  const add = (h.CapAdd ?? []).map(normaliseCap);
  const drop = (h.CapDrop ?? []).map(normaliseCap);
  for (const cap of [...add, ...drop]) {
    if (cap !== 'ALL' && !ALL_CAPABILITIES.includes(cap)) throw invalid(`unknown capability: "${cap}"`);
  }
  let caps = add.includes('ALL') ? [...ALL_CAPABILITIES] : [...DEFAULT_CAPABILITIES];
  if (drop.includes('ALL')) caps = [];
  for (const cap of add) if (cap !== 'ALL' && !caps.includes(cap)) caps.push(cap);
  return caps.filter((cap) => !drop.includes(cap) || add.includes(cap));
}

function seccompOf(h: HostConfig): SeccompSetting {
  for (const opt of h.SecurityOpt ?? []) {
    const match = /^seccomp[=:](.*)$/s.exec(opt);
    if (!match) continue;
    if (match[1] === 'unconfined') return 'unconfined';
    try {
      // The docker CLI sends the profile's content, not its path.
      return JSON.parse(match[1]!) as Record<string, unknown>;
    } catch {
      throw invalid('Decoding seccomp profile failed: the value of seccomp= must be "unconfined" or a JSON profile');
    }
  }
  return 'default';
}

export function resourcesOf(h: HostConfig): RuntimeSpec['resources'] {
  const nano = h.NanoCpus ?? 0;
  return {
    memory: h.Memory || undefined,
    memoryReservation: h.MemoryReservation || undefined,
    memorySwap: h.MemorySwap || undefined,
    cpuShares: h.CpuShares || undefined,
    cpuQuota: nano > 0 ? Math.round((nano * 100_000) / 1e9) : h.CpuQuota || undefined,
    cpuPeriod: nano > 0 ? 100_000 : h.CpuPeriod || undefined,
    cpusetCpus: h.CpusetCpus || undefined,
    cpusetMems: h.CpusetMems || undefined,
    pidsLimit: h.PidsLimit ?? undefined,
    oomKillDisable: h.OomKillDisable ?? undefined,
    blkioWeight: h.BlkioWeight || undefined,
  };
}

function etcMounts(c: Container, readonly: boolean): RuntimeMount[] {
  const options = ['rbind', 'rprivate', ...(readonly ? ['ro'] : [])];
  return [
    { destination: '/etc/resolv.conf', type: 'bind', source: c.resolvConfPath, options },
    { destination: '/etc/hostname', type: 'bind', source: c.hostnamePath, options },
    { destination: '/etc/hosts', type: 'bind', source: c.hostsPath, options },
  ];
}
