import type { Container, HostConfig } from '../../engine/containers/types.js';
import type { RuntimeStats } from '../../engine/runtime/types.js';
import { humanDuration } from '../../lib/units.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** HostConfig as Docker's inspect shows it: every field present, the request's values over Docker's defaults. */
export function inspectHostConfig(h: HostConfig): Record<string, unknown> {
  return {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: 'k8s-file', Config: {} }, NetworkMode: 'default', PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null,
    ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: 'host', Dns: [], DnsOptions: [], DnsSearch: [],
    ExtraHosts: null, GroupAdd: null, IpcMode: 'private', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '',
    Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '',
    ShmSize: 67108864, Runtime: 'runc', Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '',
    BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [], BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '',
    CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0,
    MemorySwappiness: null, OomKillDisable: null, PidsLimit: null, Ulimits: null, CpuCount: 0, CpuPercent: 0,
    IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null, Init: null,
    ...stripUndefined(h),
  };
}

function stripUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The network part of inspect, as the network area reports it: endpoints by network name. */
export interface NetworkFacts {
  sandboxKey: string;
  ports: Record<string, { HostIp: string; HostPort: string }[]>;
  endpoints: { name: string; settings: Record<string, unknown> }[];
}

export function networkSettings(net: NetworkFacts): Record<string, unknown> {
  // Docker repeats the default bridge's endpoint at the top level (the legacy fields).
  const bridge = net.endpoints.find((e) => e.name === 'bridge')?.settings;
  return {
    Bridge: '', SandboxID: '', HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, Ports: net.ports,
    SandboxKey: net.sandboxKey, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? '', Gateway: bridge?.Gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.IPAddress ?? '', IPPrefixLen: bridge?.IPPrefixLen ?? 0, IPv6Gateway: '', MacAddress: bridge?.MacAddress ?? '',
    Networks: Object.fromEntries(net.endpoints.map((e) => [e.name, e.settings])),
  };
}

/** GET /containers/{id}/json */
export function containerInspect(
  c: Container,
  extra: { graphDriver: { Name: string; Data: Record<string, string> | null }; sizes?: { SizeRw: number; SizeRootFs: number }; execIds: string[] | null; network: NetworkFacts },
): Record<string, unknown> {
  const state: Record<string, unknown> = { ...c.state };
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: state,
    Image: c.image,
    ResolvConfPath: c.resolvConfPath,
    HostnamePath: c.hostnamePath,
    HostsPath: c.hostsPath,
    LogPath: c.logPath,
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: extra.graphDriver.Name,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: extra.execIds,
    HostConfig: inspectHostConfig(c.hostConfig),
    GraphDriver: extra.graphDriver,
    ...(extra.sizes ?? {}),
    Mounts: mountPoints(c),
    Config: c.config,
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

/** GET /containers/json */
export function containerSummary(c: Container, network: NetworkFacts, sizes?: { SizeRw: number; SizeRootFs: number }): Record<string, unknown> {
  return {
    Id: c.id,
    Names: [c.name],
    Image: c.imageName,
    ImageID: c.image,
    Command: commandText(c),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: portList(network.ports),
    ...(sizes ?? {}),
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
    system_cpu_usage: s?.cpu.systemCpuNs ?? 0,
    online_cpus: s?.cpu.onlineCpus ?? 0,
    throttling_data: {
      periods: s?.cpu.throttling.periods ?? 0,
      throttled_periods: s?.cpu.throttling.throttledPeriods ?? 0,
      throttled_time: s?.cpu.throttling.throttledNs ?? 0,
    },
  });
  const blkio = now
    ? [{ major: 0, minor: 0, op: 'read', value: now.blkio.readBytes }, { major: 0, minor: 0, op: 'write', value: now.blkio.writeBytes }]
    : null;
  return {
    read: (now?.read ?? new Date(0)).toISOString(),
    preread: (previous?.read ?? new Date(0)).toISOString(),
    pids_stats: now ? { current: now.pids.current, limit: now.pids.limit } : {},
    blkio_stats: {
      io_service_bytes_recursive: blkio, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
      io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu(now),
    precpu_stats: cpu(previous),
    memory_stats: now ? { usage: now.memory.usage, max_usage: now.memory.maxUsage, stats: now.memory.stats, limit: now.memory.limit } : {},
    name: c.name,
    id: c.id,
  };
}
