/**
 * A service's container as the Engine API's create request, the way compose
 * v2 builds it (pkg/compose/create.go): labels, environment, command,
 * ports, mounts (binds through `Binds` so the engine creates a missing host
 * path, volumes through `Mounts`), restart policy, and the first network in
 * the create request; further networks are connected before start.
 */
import type { CreateContainerRequest, HealthConfig, HostConfig, MountSpec, PortBinding } from '../client/index.js';
import type { Project } from './project.js';
import { durationNanos, durationSeconds } from './duration.js';
import { LABEL } from './labels.js';
import type { PortConfig, VolumeConfig } from './short-syntax.js';

type Dict = Record<string, unknown>;

/** The compose version berth writes in com.docker.compose.version (the compose v2 release whose behaviour it follows). */
export const COMPOSE_VERSION = '2.20.2';

export interface ContainerPlan {
  service: string;
  number: number;
  name: string;
  hash: string;
  /** Anonymous volumes of the container this one replaces, by target path: a recreated container keeps them. */
  inherited?: Record<string, string>;
}

/** `<project>-<service>-<n>`, or the service's `container_name`. */
export function containerName(project: Project, service: string, number: number): string {
  const explicit = project.model.services[service]?.container_name;
  return typeof explicit === 'string' ? explicit : `${project.name}-${service}-${number}`;
}

/** Networks of a service in the order compose attaches them: by priority, then name. */
export function serviceNetworks(service: Dict): string[] {
  const networks = (service.networks ?? {}) as Record<string, Dict | null>;
  const priority = (n: string) => Number(networks[n]?.priority ?? 0);
  return Object.keys(networks).sort((a, b) => priority(b) - priority(a) || a.localeCompare(b));
}

/** The endpoint settings on one network: the service name (and container name) as DNS aliases. */
export function endpointConfig(service: Dict, serviceName: string, name: string, network: string): Dict {
  const own = ((service.networks ?? {}) as Record<string, Dict | null>)[network] ?? {};
  const aliases = [name, serviceName, ...((own.aliases as string[] | undefined) ?? [])];
  const endpoint: Dict = { Aliases: [...new Set(aliases)] };
  if (own.ipv4_address || own.ipv6_address) endpoint.IPAMConfig = { IPv4Address: own.ipv4_address, IPv6Address: own.ipv6_address };
  return endpoint;
}

export function containerLabels(project: Project, plan: ContainerPlan): Record<string, string> {
  const service = project.model.services[plan.service];
  const deps = Object.entries((service.depends_on ?? {}) as Record<string, Dict>);
  return {
    ...((service.labels ?? {}) as Record<string, string>),
    [LABEL.project]: project.name,
    [LABEL.service]: plan.service,
    [LABEL.number]: String(plan.number),
    [LABEL.oneoff]: 'False',
    [LABEL.configHash]: plan.hash,
    [LABEL.workingDir]: project.workingDir,
    [LABEL.configFiles]: project.configFiles.join(','),
    [LABEL.version]: COMPOSE_VERSION,
    [LABEL.dependsOn]: deps.map(([dep, opts]) => `${dep}:${String(opts.condition ?? 'service_started')}:${Boolean(opts.restart)}`).join(','),
  };
}

export function containerSpec(project: Project, plan: ContainerPlan): CreateContainerRequest {
  const service = project.model.services[plan.service];
  const ports = (service.ports ?? []) as PortConfig[];
  const networks = serviceNetworks(service);
  const first = networks[0];
  const networkName = (key: string) => String(project.model.networks[key]?.name ?? key);
  const body: CreateContainerRequest = {
    Image: String(service.image ?? `${project.name}-${plan.service}`),
    Hostname: service.hostname as string | undefined,
    User: service.user as string | undefined,
    WorkingDir: service.working_dir as string | undefined,
    Env: Object.entries((service.environment ?? {}) as Record<string, string | null>).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`),
    Cmd: (service.command as string[] | undefined) ?? null,
    Entrypoint: (service.entrypoint as string[] | undefined) ?? null,
    Tty: Boolean(service.tty),
    OpenStdin: Boolean(service.stdin_open),
    StopSignal: service.stop_signal as string | undefined,
    StopTimeout: typeof service.stop_grace_period === 'string' ? durationSeconds(service.stop_grace_period) : undefined,
    Healthcheck: healthcheck(service.healthcheck as Dict | undefined),
    ExposedPorts: exposedPorts(ports, (service.expose ?? []) as string[]),
    Labels: containerLabels(project, plan),
    HostConfig: hostConfig(project, plan, ports, first ? networkName(first) : undefined),
    NetworkingConfig: { EndpointsConfig: first ? { [networkName(first)]: endpointConfig(service, plan.service, plan.name, first) } : {} },
  };
  return body;
}

function hostConfig(project: Project, plan: ContainerPlan, ports: PortConfig[], network: string | undefined): HostConfig {
  const service = project.model.services[plan.service];
  const volumes = (service.volumes ?? []) as VolumeConfig[];
  const host: HostConfig = {
    NetworkMode: (service.network_mode as string | undefined) ?? network,
    PortBindings: portBindings(ports),
    RestartPolicy: restartPolicy(service.restart as string | undefined),
    Binds: volumes.filter((v) => v.type === 'bind').map((v) => `${v.source}:${v.target}${v.read_only ? ':ro' : ''}`),
    Mounts: [...volumes.filter((v) => v.type !== 'bind').map((v) => mountSpec(project, v, plan.inherited ?? {})), ...imageVolumes(volumes, plan.inherited ?? {})],
    Privileged: Boolean(service.privileged),
    CapAdd: service.cap_add as string[] | undefined,
    CapDrop: service.cap_drop as string[] | undefined,
    Init: service.init as boolean | undefined,
  };
  return host;
}

function mountSpec(project: Project, v: VolumeConfig, inherited: Record<string, string>): MountSpec {
  if (v.type === 'volume' && !v.source && inherited[v.target]) return { Type: 'volume', Source: inherited[v.target], Target: v.target, ReadOnly: Boolean(v.read_only) };
  if (v.type !== 'volume' || !v.source) return { Type: v.type, Target: v.target, ReadOnly: Boolean(v.read_only) };
  // A named volume is the project's `<project>_<key>` (or its `name:`); an undeclared source is used as is.
  const declared = project.model.volumes[v.source];
  const source = declared ? String(declared.name) : v.source;
  const mount: MountSpec = { Type: 'volume', Source: source, Target: v.target, ReadOnly: Boolean(v.read_only) };
  if (v.volume && (v.volume as Dict).nocopy) mount.VolumeOptions = { NoCopy: true };
  return mount;
}

/** Inherited anonymous volumes at paths the service does not mount itself (the image's VOLUMEs). */
function imageVolumes(volumes: VolumeConfig[], inherited: Record<string, string>): MountSpec[] {
  const mounted = new Set(volumes.map((v) => v.target));
  return Object.entries(inherited).filter(([target]) => !mounted.has(target)).map(([target, name]) => ({ Type: 'volume', Source: name, Target: target }));
}

function portKey(p: PortConfig | string): string {
  if (typeof p === 'string') return p.includes('/') ? p : `${p}/tcp`;
  return `${p.target}/${p.protocol || 'tcp'}`;
}

function exposedPorts(ports: PortConfig[], expose: string[]): Record<string, Record<string, never>> {
  return Object.fromEntries([...ports.map(portKey), ...expose.map(portKey)].map((k) => [k, {}]));
}

function portBindings(ports: PortConfig[]): Record<string, PortBinding[]> {
  const out: Record<string, PortBinding[]> = {};
  for (const p of ports) (out[portKey(p)] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  return out;
}

/** `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
function restartPolicy(restart: string | undefined): { Name: string; MaximumRetryCount: number } {
  if (!restart) return { Name: 'no', MaximumRetryCount: 0 };
  const [name, count] = restart.split(':');
  return { Name: name, MaximumRetryCount: count ? Number(count) : 0 };
}

/** `healthcheck:` as the engine's HealthConfig; `disable: true` is `["NONE"]`, a string test runs in a shell. */
export function healthcheck(hc: Dict | undefined): HealthConfig | undefined {
  if (!hc) return undefined;
  if (hc.disable) return { Test: ['NONE'] };
  const nanos = (key: string) => (typeof hc[key] === 'string' ? durationNanos(hc[key] as string) : undefined);
  const test = typeof hc.test === 'string' ? ['CMD-SHELL', hc.test] : (hc.test as string[] | undefined);
  return { Test: test, Interval: nanos('interval'), Timeout: nanos('timeout'), StartPeriod: nanos('start_period'), Retries: hc.retries as number | undefined };
}
