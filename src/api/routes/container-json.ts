import type { Container, HostConfig } from '../../engine/containers/types.js';
import { BLKIO_LISTS, type RuntimeStats } from '../../engine/runtime/types.js';
import { humanDuration } from '../../lib/units.js';
import { versionLess } from '../request.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** moby's router: clients older than API 1.40 that send a HostConfig without IpcMode expect "shareable". */
export function legacyIpcDefault(h: HostConfig | undefined, version: string): HostConfig {
  if (!h) return {};
  return versionLess(version, '1.40') && !h.IpcMode ? { ...h, IpcMode: 'shareable' } : h;
}

/** HostConfig as Docker's inspect shows it: every field present, the request's values over Docker's defaults. */
export function inspectHostConfig(h: HostConfig): Record<string, unknown> {
  return {
    // What dockerd shows for fields a client left out: they are stored as given, so most are null.
    Binds: null, ContainerIDFile: '', LogConfig: { Type: 'k8s-file', Config: {} }, NetworkMode: 'default', PortBindings: null,
    RestartPolicy: { Name: '', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null,
    ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: 'host', Dns: null, DnsOptions: null, DnsSearch: null,
    ExtraHosts: null, GroupAdd: null, IpcMode: 'private', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '',
    Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '',
    ShmSize: 67108864, Runtime: 'runc', Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '',
    BlkioWeight: 0, BlkioWeightDevice: null, BlkioDeviceReadBps: null, BlkioDeviceWriteBps: null, BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null, CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '',
    CpusetMems: '', Devices: null, DeviceCgroupRules: null, DeviceRequests: null, KernelMemory: 0, KernelMemoryTCP: 0, MemoryReservation: 0, MemorySwap: 0,
    MemorySwappiness: null, OomKillDisable: false, PidsLimit: null, Ulimits: null, CpuCount: 0, CpuPercent: 0,
    IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
    ...stripUndefined(h),
    // A Go struct: a policy given without a count (update's { Name } too) shows the count 0.
    ...(h.RestartPolicy ? { RestartPolicy: { Name: '', MaximumRetryCount: 0, ...stripUndefined(h.RestartPolicy) } } : {}),
    // dockerd's SetDefaultNetModeIfBlank: an empty mode given is "default" too.
    ...(h.NetworkMode ? {} : { NetworkMode: 'default' }),
  };
}

function stripUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The network part of inspect, as the network area reports it: endpoints by network name. */
export interface NetworkFacts {
  sandboxId?: string;
  sandboxKey: string;
  /** Config.NetworkDisabled: no sandbox, so dockerd shows no HostsPath or ResolvConfPath. */
  noSandbox?: boolean;
  ports: Record<string, { HostIp: string; HostPort: string }[]>;
  endpoints: { name: string; settings: Record<string, unknown> }[];
}

export function networkSettings(net: NetworkFacts): Record<string, unknown> {
  // Docker repeats the default bridge's endpoint at the top level (the legacy fields).
  const bridge = net.endpoints.find((e) => e.name === 'bridge')?.settings;
  return {
    Bridge: '', SandboxID: net.sandboxId ?? '', HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, Ports: net.ports,
    SandboxKey: net.sandboxKey, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? '', Gateway: bridge?.Gateway ?? '',
    GlobalIPv6Address: bridge?.GlobalIPv6Address ?? '', GlobalIPv6PrefixLen: bridge?.GlobalIPv6PrefixLen ?? 0,
    IPAddress: bridge?.IPAddress ?? '', IPPrefixLen: bridge?.IPPrefixLen ?? 0, IPv6Gateway: bridge?.IPv6Gateway ?? '', MacAddress: bridge?.MacAddress ?? '',
    Networks: Object.fromEntries(net.endpoints.map((e) => [e.name, e.settings])),
  };
}

/** A container's links as dockerd's link graph holds them: the linked container (by its current name) and the full alias. */
export interface ResolvedLink {
  child: Container;
  /** "/<parent>/<alias>" */
  alias: string;
}

/**
 * Resolves HostConfig.Links ("name", "name:alias", by name or ID) against the
 * containers there are now; links to containers that are gone are dropped, as
 * dockerd drops them from its graph.
 */
export async function resolveLinks(c: Container, find: (ref: string) => Promise<Container | undefined>): Promise<ResolvedLink[]> {
  const out: ResolvedLink[] = [];
  for (const spec of c.hostConfig.Links ?? []) {
    const [ref = '', alias] = spec.replace(/^\//, '').split(':');
    const child = await find(ref);
    if (child) out.push({ child, alias: `${c.name}/${(alias || ref).replace(/^\//, '')}` });
  }
  return out;
}

/** HostConfig.Links as dockerd shows them: "/<child>:/<parent>/<alias>". */
function linksJson(links: ResolvedLink[]): string[] | null {
  return links.length > 0 ? links.map((l) => `${l.child.name}:${l.alias}`) : null;
}

/**
 * Config as dockerd encodes it: every plain field present, those Go leaves
 * out when empty (ExposedPorts, Healthcheck's zero fields…) left out, and an
 * empty Env as null.
 */
function configJson(config: Container['config']): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false,
    OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null,
    OnBuild: null, Labels: null,
    ...stripUndefined(config),
  };
  if (Array.isArray(out.Env) && out.Env.length === 0) out.Env = null;
  // Go's omitempty fields of container.Config (StopTimeout is a pointer: only nil goes).
  for (const key of ['ExposedPorts', 'Healthcheck', 'MacAddress', 'StopSignal', 'Shell']) if (isEmpty(out[key])) delete out[key];
  for (const key of ['ArgsEscaped', 'NetworkDisabled']) if (!out[key]) delete out[key];
  if (out.StopTimeout === null) delete out.StopTimeout;
  const health = out.Healthcheck as Record<string, unknown> | undefined;
  if (health) out.Healthcheck = Object.fromEntries(Object.entries(health).filter(([, v]) => v !== 0 && !isEmpty(v)));
  return out;
}

/** Go's omitempty: null, "", empty lists and maps. */
function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/** Only json-file (and berth's k8s-file) keep a file that dockerd would name; none and local show "". */
function logPathJson(c: Container): string {
  const type = c.hostConfig.LogConfig?.Type;
  return type === 'none' || type === 'local' ? '' : c.logPath;
}

/** GET /containers/{id}/json */
export function containerInspect(
  c: Container,
  extra: {
    graphDriver: { Name: string; Data: Record<string, string> | null }; sizes?: { SizeRw: number; SizeRootFs: number }; execIds: string[] | null;
    network: NetworkFacts; links: ResolvedLink[];
  },
): Record<string, unknown> {
  const state: Record<string, unknown> = { ...c.state };
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: state,
    Image: c.image,
    ResolvConfPath: extra.network.noSandbox ? '' : c.resolvConfPath,
    HostnamePath: c.hostnamePath,
    HostsPath: extra.network.noSandbox ? '' : c.hostsPath,
    LogPath: logPathJson(c),
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: extra.graphDriver.Name,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: extra.execIds,
    HostConfig: { ...inspectHostConfig(c.hostConfig), Links: linksJson(extra.links) },
    GraphDriver: extra.graphDriver,
    ...(extra.sizes ?? {}),
    Mounts: mountPoints(c),
    Config: configJson(c.config),
    NetworkSettings: networkSettings(extra.network),
  };
}

/** inspect's and ps's Mounts: volumes and binds (tmpfs mounts of HostConfig.Tmpfs are not listed, as in Docker). */
function mountPoints(c: Container): unknown[] {
  return (c.mounts ?? []).filter((m) => m.inspect).map((m) => m.point);
}

/** The STATUS text of docker ps, which the daemon writes (moby's container.State.String()). */
export function statusText(c: Container, now = Date.now()): string {
  const s = c.state;
  const since = (iso: string) => humanDuration(now - Date.parse(iso));
  if (s.Status === 'paused') return `Up ${since(s.StartedAt)} (Paused)`;
  if (s.Status === 'restarting') return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  if (s.Status === 'running') {
    const health = s.Health ? ` (${s.Health.Status === 'starting' ? 'health: starting' : s.Health.Status})` : '';
    return `Up ${since(s.StartedAt)}${health}`;
  }
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Status === 'dead') return 'Dead';
  if (s.Status === 'created' || s.FinishedAt === ZERO_TIME) return 'Created';
  return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
}

/**
 * GET /containers/json. `linkedAs`: the full aliases other containers link
 * this one by ("/<parent>/<alias>"), which dockerd lists among its Names.
 */
export function containerSummary(c: Container, network: NetworkFacts, sizes?: { SizeRw: number; SizeRootFs: number }, linkedAs: string[] = []): Record<string, unknown> {
  return {
    Id: c.id,
    Names: [c.name, ...linkedAs],
    Image: c.imageName,
    ImageID: c.image,
    Command: commandText(c),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: portList(network.ports),
    // omitempty in Docker's Container: a size of 0 is left out.
    ...(sizes?.SizeRw ? { SizeRw: sizes.SizeRw } : {}),
    ...(sizes?.SizeRootFs ? { SizeRootFs: sizes.SizeRootFs } : {}),
    Labels: c.config.Labels ?? {},
    State: c.state.Status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode || 'default' },
    NetworkSettings: { Networks: Object.fromEntries(network.endpoints.map((e) => [e.name, e.settings])) },
    Mounts: mountPoints(c),
  };
}

/** ps's Ports: one entry per binding (and per exposed port without one), as moby's list does. */
function portList(ports: NetworkFacts['ports']): unknown[] {
  const out: unknown[] = [];
  for (const [spec, bindings] of Object.entries(ports)) {
    const [port, proto = 'tcp'] = spec.split('/');
    if (!bindings || bindings.length === 0) out.push({ PrivatePort: Number(port), Type: proto });
    for (const b of bindings ?? []) out.push({ IP: b.HostIp || '0.0.0.0', PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: proto });
  }
  return out;
}

/** moby's ps Command: the path and the arguments, those with a space in single quotes. */
function commandText(c: Container): string {
  if (c.args.length === 0) return c.path;
  return `${c.path} ${c.args.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg)).join(' ')}`;
}

/** One /containers/{id}/stats sample in Docker's shape (cgroup v1 field names). */
export function statsJson(c: Container, now: RuntimeStats | null, previous: RuntimeStats | null): Record<string, unknown> {
  const cpu = (s: RuntimeStats | null) => ({
    cpu_usage: {
      total_usage: s?.cpu.totalNs ?? 0,
      percpu_usage: s?.cpu.perCpuNs.length ? s.cpu.perCpuNs : undefined,
      usage_in_kernelmode: s?.cpu.systemNs ?? 0,
      usage_in_usermode: s?.cpu.userNs ?? 0,
    },
    // omitempty in dockerd's types: a sample with nothing in it (a stopped container) leaves them out.
    ...(s?.cpu.systemCpuNs ? { system_cpu_usage: s.cpu.systemCpuNs } : {}),
    ...(s?.cpu.onlineCpus ? { online_cpus: s.cpu.onlineCpus } : {}),
    throttling_data: {
      periods: s?.cpu.throttling.periods ?? 0,
      throttled_periods: s?.cpu.throttling.throttledPeriods ?? 0,
      throttled_time: s?.cpu.throttling.throttledNs ?? 0,
    },
  });
  const blkioList = (name: (typeof BLKIO_LISTS)[number]) => now?.blkio[name] ?? null;
  return {
    read: (now?.read ?? new Date(0)).toISOString(),
    preread: (previous?.read ?? new Date(0)).toISOString(),
    // limit is omitempty: an unlimited cgroup (pids.max "max", read as 0) has none.
    pids_stats: now ? { current: now.pids.current, ...(now.pids.limit ? { limit: now.pids.limit } : {}) } : {},
    blkio_stats: {
      // Each list as the cgroup gave it; null where it has none (a stopped container, or cgroup v2 but for the bytes).
      ...Object.fromEntries(BLKIO_LISTS.map((name) => [name, blkioList(name)])),
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu(now),
    precpu_stats: cpu(previous),
    memory_stats: now ? { usage: now.memory.usage, max_usage: now.memory.maxUsage, stats: now.memory.stats, limit: now.memory.limit } : {},
    // Only a container with interfaces of its own has the section (none, host and container: modes do not, as with dockerd).
    ...(now && Object.keys(now.networks).length > 0 && !c.hostConfig.NetworkMode?.startsWith('container:') ? { networks: now.networks } : {}),
    name: c.name,
    id: c.id,
  };
}
