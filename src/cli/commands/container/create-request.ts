/**
 * Translates run/create flags into the create request exactly as the docker
 * CLI does (cli/command/container/opts.go parse): Config, HostConfig and
 * NetworkingConfig. Local validation errors are thrown as Error; the caller
 * prints them with docker's `docker: …` framing.
 */
import type { ContainerConfig, CreateContainerRequest, HealthConfig, HostConfig } from '../../../client/container-types.js';
import type { FlagValues } from '../../flags.js';
import { collectUlimits, effectiveCaps, isRestartPolicyNone, parseMount, parsePortSpecs, parseRestartPolicy, parseSecurityOpts, parseTmpfs, splitVolumes } from '../../opts/container.js';
import { expandEnv, kvToMap, parseKeyValueFile } from '../../opts/files.js';
import { memSwapBytes, parseGoDuration, parseNanoCpus, ramInBytes } from '../../opts/values.js';

export interface CreateInput {
  flags: FlagValues;
  changed: ReadonlySet<string>;
  image: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** [height, width] of the local terminal when -t and stdout is one. */
  consoleSize?: [number, number];
}

const strings = (flags: FlagValues, name: string) => flags[name] as string[];

function healthConfig(flags: FlagValues, changed: ReadonlySet<string>): HealthConfig | undefined {
  const names = ['health-cmd', 'health-interval', 'health-timeout', 'health-retries', 'health-start-period'];
  const anyHealth = names.some((n) => changed.has(n));
  if (flags['no-healthcheck']) {
    if (anyHealth) throw new Error('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!anyHealth) return undefined;
  const nanos = (name: string) => {
    const value = flags[name] ? parseGoDuration(flags[name] as string) : 0;
    if (value < 0) throw new Error(`--${name} cannot be negative`);
    return value || undefined;
  };
  const retries = flags['health-retries'] as number;
  const health: HealthConfig = {};
  if (flags['health-cmd']) health.Test = ['CMD-SHELL', flags['health-cmd'] as string];
  health.Interval = nanos('health-interval');
  health.Timeout = nanos('health-timeout');
  health.StartPeriod = nanos('health-start-period');
  if (retries < 0) throw new Error('--health-retries cannot be negative');
  if (retries) health.Retries = retries;
  return health;
}

/** Which streams a create attaches, as docker decides it from -a and -i. */
export function attachStreams(flags: FlagValues): { stdin: boolean; stdout: boolean; stderr: boolean } {
  const attach = strings(flags, 'attach').map((s) => s.toLowerCase());
  const none = attach.length === 0;
  return {
    stdin: attach.includes('stdin') || Boolean(flags.interactive),
    stdout: none || attach.includes('stdout'),
    stderr: none || attach.includes('stderr'),
  };
}

function containerConfig(input: CreateInput): ContainerConfig {
  const { flags, changed, env } = input;
  const streams = attachStreams(flags);
  const envList = [...strings(flags, 'env-file').flatMap((file) => parseKeyValueFile(file, (name) => env[name])), ...strings(flags, 'env').map((e) => expandEnv(e, env))];
  const labels = kvToMap([...strings(flags, 'label-file').flatMap((file) => parseKeyValueFile(file)), ...strings(flags, 'label')]);
  const ports = parsePortSpecs(strings(flags, 'publish'));
  const config: ContainerConfig = {
    Hostname: flags.hostname as string,
    User: flags.user as string,
    AttachStdin: streams.stdin,
    AttachStdout: streams.stdout,
    AttachStderr: streams.stderr,
    ExposedPorts: Object.keys(ports.exposed).length ? ports.exposed : undefined,
    Tty: Boolean(flags.tty),
    OpenStdin: Boolean(flags.interactive),
    StdinOnce: Boolean(flags.interactive) && streams.stdin,
    Env: envList.length ? envList : null,
    Cmd: input.args.length ? input.args : null,
    Healthcheck: healthConfig(flags, changed),
    Image: input.image,
    Volumes: splitVolumes(strings(flags, 'volume')).volumes,
    WorkingDir: flags.workdir as string,
    Entrypoint: changed.has('entrypoint') ? [flags.entrypoint as string] : null,
    Labels: labels,
  };
  if (flags['stop-signal']) config.StopSignal = flags['stop-signal'] as string;
  if (changed.has('stop-timeout')) config.StopTimeout = flags['stop-timeout'] as number;
  return config;
}

const nonEmpty = <T>(values: T[]): T[] | undefined => (values.length ? values : undefined);
const bytesFlag = (flags: FlagValues, name: string, parse = ramInBytes) => (flags[name] ? parse(flags[name] as string) : undefined);

function hostConfig(input: CreateInput): HostConfig {
  const { flags, changed } = input;
  const restart = parseRestartPolicy(flags.restart as string);
  if (flags.rm && !isRestartPolicyNone(restart)) throw new Error('conflicting options: cannot specify both --restart and --rm');
  const caps = effectiveCaps(strings(flags, 'cap-add'), strings(flags, 'cap-drop'));
  const ports = parsePortSpecs(strings(flags, 'publish'));
  const tmpfs = parseTmpfs(strings(flags, 'tmpfs'));
  const ulimits = collectUlimits(strings(flags, 'ulimit'));
  const host: HostConfig = {
    Binds: nonEmpty(splitVolumes(strings(flags, 'volume')).binds),
    ContainerIDFile: (flags.cidfile as string) || undefined,
    LogConfig: { Type: '', Config: {} },
    NetworkMode: flags.network as string,
    PortBindings: Object.keys(ports.bindings).length ? ports.bindings : undefined,
    RestartPolicy: restart,
    AutoRemove: Boolean(flags.rm),
    VolumesFrom: nonEmpty(strings(flags, 'volumes-from')),
    ConsoleSize: input.consoleSize ?? [0, 0],
    CapAdd: caps.capAdd,
    CapDrop: caps.capDrop,
    Dns: nonEmpty(strings(flags, 'dns')),
    ExtraHosts: nonEmpty(strings(flags, 'add-host')),
    Links: nonEmpty(strings(flags, 'link')),
    Privileged: Boolean(flags.privileged),
    ReadonlyRootfs: Boolean(flags['read-only']),
    SecurityOpt: nonEmpty(parseSecurityOpts(strings(flags, 'security-opt'))),
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    CpuShares: (flags['cpu-shares'] as number) || undefined,
    Memory: bytesFlag(flags, 'memory'),
    NanoCpus: flags.cpus ? parseNanoCpus(flags.cpus as string) : undefined,
    CpusetCpus: (flags['cpuset-cpus'] as string) || undefined,
    MemoryReservation: bytesFlag(flags, 'memory-reservation'),
    MemorySwap: bytesFlag(flags, 'memory-swap', memSwapBytes),
    ShmSize: bytesFlag(flags, 'shm-size'),
    MemorySwappiness: -1,
    OomKillDisable: Boolean(flags['oom-kill-disable']),
    PidsLimit: changed.has('pids-limit') ? (flags['pids-limit'] as number) : undefined,
    Ulimits: nonEmpty(ulimits),
    Mounts: nonEmpty(strings(flags, 'mount').map(parseMount)),
    Init: changed.has('init') ? Boolean(flags.init) : undefined,
  };
  return host;
}

/** The whole create body; throws on invalid input with docker's message. */
export function buildCreateRequest(input: CreateInput): CreateContainerRequest {
  const config = containerConfig(input);
  const host = hostConfig(input);
  const network = input.flags.network as string;
  // docker names the endpoint of the network mode; container:<x> has none.
  const endpoints: Record<string, unknown> = network.startsWith('container:') ? {} : { [network]: endpointSettings(input.flags, network) };
  return { ...config, HostConfig: host, NetworkingConfig: { EndpointsConfig: endpoints } };
}

/**
 * The endpoint settings of the network mode, as the docker CLI sends them:
 * --ip, --ip6, --link-local-ip, --network-alias and --mac-address, and the
 * links again on a user-defined network (where they become DNS aliases).
 * The daemon says which of them the network cannot take.
 */
function endpointSettings(flags: FlagValues, network: string): Record<string, unknown> {
  const userDefined = !['default', 'bridge', 'host', 'none'].includes(network);
  const linkLocal = strings(flags, 'link-local-ip');
  const ipam = { IPv4Address: (flags.ip as string) || undefined, IPv6Address: (flags.ip6 as string) || undefined, LinkLocalIPs: nonEmpty(linkLocal) };
  return compact({
    IPAMConfig: Object.values(ipam).some((v) => v !== undefined) ? ipam : undefined,
    Links: userDefined ? nonEmpty(strings(flags, 'link')) : undefined,
    Aliases: nonEmpty(strings(flags, 'network-alias')),
    MacAddress: (flags['mac-address'] as string) || undefined,
  });
}

/** Drops undefined fields so the JSON sent and the tests' expectations stay readable. */
export function compact<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
