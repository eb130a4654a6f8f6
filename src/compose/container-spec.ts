/**
 * A service's container as the Engine API's create request, the way compose
 * v2 builds it (pkg/compose/create.go): the container config (labels,
 * environment, command, healthcheck, …), the host config (host-config.ts
 * for resources and options, mounts.ts for volumes, secrets and configs)
 * and the first network in the create request (networking.ts); further
 * networks are connected before start.
 */
import type { CreateContainerRequest, HealthConfig, HostConfig, PortBinding } from '../client/index.js';
import type { Project } from './project.js';
import { durationSeconds } from './duration.js';
import { composeDuration, ramInBytes } from './go-json.js';
import { devices, extraHosts, list, logConfig, resources, restartPolicy, ulimits } from './host-config.js';
import { LABEL } from './labels.js';
import { serviceMounts } from './mounts.js';
import { containerName, createNetworking, namespaceRef } from './networking.js';
import type { PortConfig } from './short-syntax.js';

export { containerName, endpointConfig, serviceNetworks } from './networking.js';

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
  /** A one-off container (`run`): oneoff=True, its slug, and no container number (compose v2 numbers only replicas). */
  oneoff?: boolean;
  slug?: string;
  /** The ID the service's image has now, when it exists locally. */
  imageId?: string;
  /** Every network's endpoint in the create request (API 1.44 and later), not only the first one's. */
  allNetworks?: boolean;
}

export function containerLabels(project: Project, plan: ContainerPlan): Record<string, string> {
  const service = project.model.services[plan.service];
  const deps = Object.entries((service.depends_on ?? {}) as Record<string, Dict>);
  const numbering: Record<string, string> = plan.oneoff ? { [LABEL.slug]: plan.slug ?? '' } : { [LABEL.number]: String(plan.number) };
  return {
    ...((service.labels ?? {}) as Record<string, string>),
    [LABEL.project]: project.name,
    [LABEL.service]: plan.service,
    ...numbering,
    [LABEL.oneoff]: plan.oneoff ? 'True' : 'False',
    [LABEL.configHash]: plan.hash,
    [LABEL.workingDir]: project.workingDir,
    [LABEL.configFiles]: project.configFiles.join(','),
    [LABEL.version]: COMPOSE_VERSION,
    [LABEL.dependsOn]: deps.map(([dep, opts]) => `${dep}:${String(opts.condition ?? 'service_started')}:${Boolean(opts.restart)}`).join(','),
    ...(plan.imageId ? { [LABEL.image]: plan.imageId } : {}),
  };
}

/** Config fields the client's types leave out but the engine takes. */
interface ExtraConfig {
  Domainname?: string;
  MacAddress?: string;
}

export function containerSpec(project: Project, plan: ContainerPlan): CreateContainerRequest {
  const service = project.model.services[plan.service];
  const ports = (service.ports ?? []) as PortConfig[];
  const networking = createNetworking(project, plan.service, plan.name, plan.allNetworks);
  const body: CreateContainerRequest & ExtraConfig = {
    Image: String(service.image ?? `${project.name}-${plan.service}`),
    Hostname: service.hostname as string | undefined,
    Domainname: service.domainname as string | undefined,
    User: service.user as string | undefined,
    WorkingDir: service.working_dir as string | undefined,
    Env: Object.entries((service.environment ?? {}) as Record<string, string | null>).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`),
    Cmd: (service.command as string[] | undefined) ?? null,
    Entrypoint: (service.entrypoint as string[] | undefined) ?? null,
    Tty: Boolean(service.tty),
    OpenStdin: Boolean(service.stdin_open),
    StopSignal: service.stop_signal as string | undefined,
    StopTimeout: service.stop_grace_period !== undefined ? durationSeconds(String(service.stop_grace_period)) : undefined,
    Healthcheck: healthcheck(service.healthcheck as Dict | undefined),
    ExposedPorts: exposedPorts(ports, (service.expose ?? []) as string[]),
    MacAddress: service.mac_address as string | undefined,
    Labels: containerLabels(project, plan),
    HostConfig: hostConfig(project, plan, ports, networking.mode),
    NetworkingConfig: { EndpointsConfig: networking.endpoints },
  };
  return body;
}

function hostConfig(project: Project, plan: ContainerPlan, ports: PortConfig[], networkMode: string | undefined): HostConfig {
  const service = project.model.services[plan.service];
  const host: HostConfig & Dict = {
    ...resources(service),
    ...serviceMounts(project, service, plan.inherited ?? {}),
    NetworkMode: networkMode,
    PortBindings: portBindings(ports),
    RestartPolicy: restartPolicy(service),
    Privileged: Boolean(service.privileged),
    ReadonlyRootfs: Boolean(service.read_only),
    CapAdd: service.cap_add as string[] | undefined,
    CapDrop: service.cap_drop as string[] | undefined,
    Init: service.init as boolean | undefined,
    PidMode: namespaceRef(project, service.pid),
    IpcMode: namespaceRef(project, service.ipc),
    UTSMode: service.uts as string | undefined,
    UsernsMode: service.userns_mode as string | undefined,
    VolumesFrom: volumesFrom(project, service.volumes_from),
    Ulimits: ulimits(service.ulimits),
    Sysctls: service.sysctls as Record<string, string> | undefined,
    Devices: devices(service.devices),
    LogConfig: logConfig(service),
    ShmSize: service.shm_size !== undefined ? ramInBytes(service.shm_size) : undefined,
    SecurityOpt: service.security_opt as string[] | undefined,
    GroupAdd: list(service.group_add),
    Dns: list(service.dns),
    DnsSearch: list(service.dns_search),
    DnsOptions: list(service.dns_opt),
    ExtraHosts: extraHosts(service.extra_hosts),
    Runtime: service.runtime as string | undefined,
    StorageOpt: service.storage_opt as Record<string, string> | undefined,
  };
  return host;
}

/** `[service:]NAME[:ro|:rw]` → that service's first container; `container:NAME[:ro|:rw]` → NAME. */
function volumesFrom(project: Project, value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return (value as string[]).map((entry) => {
    const [, kind, name, mode = ''] = /^(?:(service|container):)?(.+?)(:ro|:rw)?$/.exec(entry) as RegExpExecArray;
    return `${kind === 'container' ? name : containerName(project, name, 1)}${mode}`;
  });
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

/** `healthcheck:` as the engine's HealthConfig; `disable: true` is `["NONE"]`, a string test runs in a shell. */
export function healthcheck(hc: Dict | undefined): HealthConfig | undefined {
  if (!hc) return undefined;
  if (hc.disable) return { Test: ['NONE'] };
  const nanos = (key: string) => (hc[key] !== undefined ? composeDuration(hc[key]) : undefined);
  const test = typeof hc.test === 'string' ? ['CMD-SHELL', hc.test] : (hc.test as string[] | undefined);
  const config: HealthConfig & Dict = { Test: test, Interval: nanos('interval'), Timeout: nanos('timeout'), StartPeriod: nanos('start_period'), Retries: hc.retries as number | undefined };
  if (hc.start_interval !== undefined) config.StartInterval = nanos('start_interval');
  return config;
}
