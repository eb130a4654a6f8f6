import { invalid } from '../../lib/errors.js';
import { defaultDeviceRules, type OciDevice, type OciDeviceRule } from './devices.js';
import { defaultMounts, MASKED_PATHS, READONLY_PATHS } from './oci-defaults.js';
import { toOciRlimits, type OciRlimit } from './rlimits.js';
import { toOciSeccomp, type OciSeccomp } from './seccomp.js';
import { ALL_CAPABILITIES, INIT_PATH_IN_CONTAINER, type NamespaceMode, type Resources, type RuntimeProcess, type RuntimeSpec } from './types.js';

/**
 * RuntimeSpec → OCI runtime config (config.json), with Docker's defaults.
 * A pure function of its inputs: everything that needs the host (hard limits,
 * device nodes, the default seccomp profile, the cgroup version) is looked up
 * by the caller and passed in, so this file can be tested without root.
 */

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciProcess {
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
  rlimits?: OciRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface OciResources {
  devices?: OciDeviceRule[];
  memory?: { limit?: number; reservation?: number; swap?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight: number };
}

export interface OciConfig {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  domainname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: {
    namespaces: { type: string; path?: string }[];
    cgroupsPath: string;
    resources: OciResources;
    devices?: OciDevice[];
    sysctl?: Record<string, string>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: OciSeccomp;
  };
}

export interface HostContext {
  cgroupV2: boolean;
  /** berthd's own hard rlimits by Docker name (ownHardLimits()). */
  hardLimits: Map<string, number>;
  /** Docker's default seccomp profile (loadDefaultProfile()). */
  defaultSeccomp: Record<string, unknown>;
  /** --device nodes and their rules (mappedDevices()). */
  mappedDevices: { devices: OciDevice[]; rules: OciDeviceRule[] };
  /** Every host device node; only read for privileged containers (hostDevices()). */
  hostDevices: OciDevice[];
}

export const OCI_VERSION = '1.0.2-dev';

export function buildOciConfig(spec: RuntimeSpec, host: HostContext): OciConfig {
  if (spec.process.args.length === 0) throw invalid('No command specified');
  const capabilities = spec.privileged ? [...ALL_CAPABILITIES] : [...spec.process.capabilities];
  const config: OciConfig = {
    ociVersion: OCI_VERSION,
    process: ociProcess(spec.process, capabilities, host, spec.init !== undefined),
    root: { path: spec.rootfs, readonly: spec.readonlyRootfs },
    mounts: mounts(spec),
    linux: {
      namespaces: namespaces(spec, host.cgroupV2),
      cgroupsPath: `${(spec.cgroupParent ?? '/berth').replace(/\/+$/, '')}/${spec.id}`,
      resources: { devices: deviceRules(spec, host), ...ociResources(spec.resources) },
    },
  };
  if (spec.namespaces.uts !== 'host') {
    if (spec.hostname) config.hostname = spec.hostname;
    if (spec.domainname) config.domainname = spec.domainname;
  }
  if (Object.keys(spec.annotations).length > 0) config.annotations = { ...spec.annotations };
  const devices = [...(spec.privileged ? host.hostDevices : []), ...host.mappedDevices.devices];
  if (devices.length > 0) config.linux.devices = dedupeDevices(devices);
  if (Object.keys(spec.sysctls).length > 0) config.linux.sysctl = { ...spec.sysctls };
  if (!spec.privileged) {
    config.linux.maskedPaths = [...MASKED_PATHS];
    config.linux.readonlyPaths = [...READONLY_PATHS];
  }
  const seccomp = seccompFor(spec, capabilities, host);
  if (seccomp) config.linux.seccomp = seccomp;
  return config;
}

/** The process part; also used for exec sessions (process.json for `runc exec --process`). */
export function ociProcess(p: RuntimeProcess, capabilities: string[], host: Pick<HostContext, 'hardLimits'>, withInit = false): OciProcess {
  if (p.args.length === 0) throw invalid('No command specified');
  if (!p.cwd.startsWith('/')) throw invalid(`the working directory '${p.cwd}' is invalid, it needs to be an absolute path`);
  const user: OciProcess['user'] = { uid: p.user.uid, gid: p.user.gid };
  if (p.user.additionalGids.length > 0) user.additionalGids = [...p.user.additionalGids];
  if (p.user.umask !== undefined) user.umask = p.user.umask;
  const out: OciProcess = {
    terminal: p.terminal,
    user,
    args: withInit ? [INIT_PATH_IN_CONTAINER, '--', ...p.args] : [...p.args],
    env: [...p.env],
    cwd: p.cwd,
    capabilities: { bounding: [...capabilities], effective: [...capabilities], permitted: [...capabilities] },
    noNewPrivileges: p.noNewPrivileges,
  };
  const rlimits = toOciRlimits(p.rlimits, host.hardLimits);
  if (rlimits.length > 0) out.rlimits = rlimits;
  if (p.oomScoreAdj !== undefined) out.oomScoreAdj = p.oomScoreAdj;
  if (p.terminal && p.consoleSize) out.consoleSize = { ...p.consoleSize };
  return out;
}

/** Defaults first; a caller's mount at the same destination replaces the default one. */
function mounts(spec: RuntimeSpec): OciMount[] {
  const extra: OciMount[] = spec.mounts.map((m) => ({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] }));
  if (spec.init) extra.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: spec.init, options: ['bind', 'ro', 'nosuid', 'nodev'] });
  const overridden = new Set(extra.map((m) => normaliseDest(m.destination)));
  const defaults = defaultMounts({ shmSize: spec.shmSize, privileged: spec.privileged, shmSource: spec.shmSource ?? (spec.namespaces.ipc === 'host' ? '/dev/shm' : undefined) }).filter(
    (m) => !overridden.has(m.destination),
  );
  for (const m of extra) {
    if (!m.destination.startsWith('/')) throw invalid(`invalid mount config: mount path must be absolute: ${m.destination}`);
  }
  return [...defaults, ...extra];
}

function normaliseDest(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function namespaces(spec: RuntimeSpec, cgroupV2: boolean): OciConfig['linux']['namespaces'] {
  const out: OciConfig['linux']['namespaces'] = [{ type: 'mount' }];
  const add = (type: string, mode: NamespaceMode) => {
    if (mode === 'new') out.push({ type });
    else if (mode !== 'host') out.push({ type, path: mode.path });
  };
  add('network', spec.namespaces.network);
  add('pid', spec.namespaces.pid);
  add('ipc', spec.namespaces.ipc);
  add('uts', spec.namespaces.uts);
  const cgroup = spec.namespaces.cgroup ?? (cgroupV2 ? 'new' : 'host');
  if (cgroup === 'new') out.push({ type: 'cgroup' });
  return out;
}

function deviceRules(spec: RuntimeSpec, host: HostContext): OciDeviceRule[] {
  const extra = (spec.deviceCgroupRules ?? []).map(parseDeviceCgroupRule);
  if (spec.privileged) return [{ allow: true, access: 'rwm' }, ...extra];
  return [...defaultDeviceRules(), ...host.mappedDevices.rules, ...extra];
}

/** --device-cgroup-rule "c 1:3 rwm" / "b 7:* r" / "a *:* rwm", with dockerd's pattern and error; '*' is -1. */
export function parseDeviceCgroupRule(rule: string): OciDeviceRule {
  const m = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.exec(rule);
  if (!m) throw invalid(`invalid device cgroup rule format: '${rule}'`);
  const number = (v: string) => (v === '*' ? -1 : Number(v));
  return { allow: true, type: m[1] as 'a' | 'c' | 'b', major: number(m[2]!), minor: number(m[3]!), access: m[4]! };
}

function dedupeDevices(devices: OciDevice[]): OciDevice[] {
  const byPath = new Map<string, OciDevice>();
  for (const d of devices) byPath.set(d.path, d);
  return [...byPath.values()];
}

function seccompFor(spec: RuntimeSpec, capabilities: string[], host: HostContext): OciSeccomp | undefined {
  if (spec.privileged || spec.seccomp === 'unconfined') return undefined;
  const profile = spec.seccomp === 'default' ? host.defaultSeccomp : spec.seccomp;
  return toOciSeccomp(profile, capabilities);
}

/** Resources → OCI linux.resources (without devices); also the body of `runc update -r`. */
export function ociResources(r: Resources): OciResources {
  const out: OciResources = {};
  const memory: NonNullable<OciResources['memory']> = {};
  if (r.memory !== undefined && r.memory > 0) memory.limit = r.memory;
  if (r.memoryReservation !== undefined && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  if (r.memorySwap !== undefined && r.memorySwap !== 0) memory.swap = r.memorySwap;
  if (r.oomKillDisable !== undefined) memory.disableOOMKiller = r.oomKillDisable;
  if (Object.keys(memory).length > 0) out.memory = memory;
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares !== undefined && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpuQuota !== undefined && r.cpuQuota !== 0) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod !== undefined && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit !== 0) out.pids = { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
  if (r.blkioWeight !== undefined && r.blkioWeight > 0) out.blockIO = { weight: r.blkioWeight };
  return out;
}
