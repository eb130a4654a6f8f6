/**
 * The HostConfig fields of a service that are neither mounts nor networks,
 * mapped as compose v2 maps them (pkg/compose/create.go): resources from
 * the top-level keys with `deploy.resources` on top, the restart policy
 * (`deploy.restart_policy` wins over `restart`), ulimits, devices, logging,
 * and the plain host options.
 */
import { invalid } from '../lib/errors.js';
import { ramInBytes } from './go-json.js';

type Dict = Record<string, unknown>;

const bytes = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : ramInBytes(v));
const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const nanoCpus = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Math.round(Number(v) * 1e9));

/** CPU, memory and pids limits; `deploy.resources.limits` / `.reservations` override the top-level keys. */
export function resources(service: Dict): Dict {
  const deploy = ((service.deploy as Dict | undefined)?.resources ?? {}) as Dict;
  const limits = (deploy.limits ?? {}) as Dict;
  const reservations = (deploy.reservations ?? {}) as Dict;
  return {
    Memory: bytes(limits.memory) ?? bytes(service.mem_limit),
    MemoryReservation: bytes(reservations.memory) ?? bytes(service.mem_reservation),
    MemorySwap: bytes(service.memswap_limit),
    MemorySwappiness: num(service.mem_swappiness),
    NanoCpus: nanoCpus(limits.cpus) ?? nanoCpus(service.cpus),
    CpuShares: num(service.cpu_shares),
    CpuPeriod: num(service.cpu_period),
    CpuQuota: num(service.cpu_quota),
    CpuRealtimePeriod: num(service.cpu_rt_period),
    CpuRealtimeRuntime: num(service.cpu_rt_runtime),
    CpusetCpus: service.cpuset as string | undefined,
    PidsLimit: num(limits.pids) ?? num(service.pids_limit),
    OomKillDisable: service.oom_kill_disable as boolean | undefined,
    OomScoreAdj: num(service.oom_score_adj),
    CgroupParent: service.cgroup_parent as string | undefined,
    DeviceCgroupRules: service.device_cgroup_rules as string[] | undefined,
  };
}

const CONDITIONS: Record<string, string> = { none: 'no', any: 'always', 'on-failure': 'on-failure' };

/** `restart: no|always|unless-stopped|on-failure[:N]`, or `deploy.restart_policy` (condition none|on-failure|any, max_attempts). */
export function restartPolicy(service: Dict): { Name: string; MaximumRetryCount: number } {
  const deployed = (service.deploy as Dict | undefined)?.restart_policy as Dict | undefined;
  if (deployed) {
    const condition = String(deployed.condition ?? 'any');
    return { Name: CONDITIONS[condition] ?? condition, MaximumRetryCount: Number(deployed.max_attempts ?? 0) };
  }
  const restart = service.restart as string | undefined;
  if (!restart) return { Name: 'no', MaximumRetryCount: 0 };
  const [name, count] = restart.split(':');
  return { Name: name, MaximumRetryCount: count ? Number(count) : 0 };
}

/** `nofile: 1024` (soft = hard) or `nofile: {soft, hard}`. */
export function ulimits(value: unknown): Array<{ Name: string; Soft: number; Hard: number }> | undefined {
  if (!value) return undefined;
  return Object.entries(value as Dict).sort(([a], [b]) => a.localeCompare(b)).map(([name, limit]) => {
    if (typeof limit === 'object' && limit !== null) return { Name: name, Soft: Number((limit as Dict).soft), Hard: Number((limit as Dict).hard) };
    return { Name: name, Soft: Number(limit), Hard: Number(limit) };
  });
}

/** `HOST[:CONTAINER[:PERMISSIONS]]` or the long form {source, target, permissions}. */
export function devices(value: unknown): Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions: string }> | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((d) => {
    if (typeof d === 'object' && d !== null) {
      const o = d as Dict;
      return { PathOnHost: String(o.source), PathInContainer: String(o.target ?? o.source), CgroupPermissions: String(o.permissions ?? 'rwm') };
    }
    const parts = String(d).split(':');
    if (parts.length > 3) throw invalid(`confusing device mapping, please use long syntax: ${String(d)}`);
    return { PathOnHost: parts[0], PathInContainer: parts[1] ?? parts[0], CgroupPermissions: parts[2] ?? 'rwm' };
  });
}

/** `logging: {driver, options}` (or the legacy log_driver / log_opt). */
export function logConfig(service: Dict): { Type: string; Config: Record<string, string> } | undefined {
  const logging = service.logging as Dict | undefined;
  const driver = (logging?.driver ?? service.log_driver) as string | undefined;
  const options = (logging?.options ?? service.log_opt ?? {}) as Record<string, unknown>;
  if (!driver && Object.keys(options).length === 0) return undefined;
  return { Type: driver ?? '', Config: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)])) };
}

/** extra_hosts (canonical map, a list of addresses allowed) as the engine's `host:ip` list. */
export function extraHosts(value: unknown): string[] | undefined {
  if (!value) return undefined;
  return Object.entries(value as Dict).flatMap(([host, ips]) => (Array.isArray(ips) ? ips : String(ips).split(',')).map((ip) => `${host}:${String(ip).replace(/^\[(.*)\]$/, '$1')}`));
}

/** A scalar-or-list attribute (dns, dns_search) as a list. */
export function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}
