import { randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SystemBackend } from '../api/backends.js';
import { API_VERSION, MIN_API_VERSION } from '../api/server.js';
import type { ImageService } from '../engine/images/types.js';
import type { ContainerService } from '../engine/containers/types.js';
import type { LayerStore } from '../engine/layers/types.js';
import { writeFileAtomic } from '../lib/atomic.js';
import { hostFacts, swapLimitSupported, toolVersion, type HostFacts } from '../platform/linux/host.js';
import type { DaemonConfig } from './config.js';
import { BERTH_VERSION, GIT_COMMIT } from './version.js';
import { registryConfigInfo } from './registry-info.js';
import { LOG_DRIVERS } from './config-values.js';

/** Facts for /info, /version and /_ping, gathered from the host and the engine areas. */
export class DaemonSystem implements SystemBackend {
  private host?: HostFacts;

  constructor(
    private readonly deps: {
      config: () => DaemonConfig; images: ImageService; containers: ContainerService; layers: LayerStore; engineId: string; startedAt: Date;
      /** Clients following /events right now. */
      eventListeners?: () => number;
    },
  ) {}

  pingHeaders(): Record<string, string> {
    return { 'Api-Version': API_VERSION, 'Builder-Version': '1', OSType: 'linux', 'Docker-Experimental': 'false' };
  }

  async version(): Promise<Record<string, unknown>> {
    const [host, runc, conmon] = await Promise.all([this.facts(), toolVersion('runc'), toolVersion('conmon')]);
    const engine = {
      Name: 'Engine',
      Version: BERTH_VERSION,
      Details: {
        ApiVersion: API_VERSION,
        Arch: goArch(),
        BuildTime: '',
        Experimental: 'false',
        GitCommit: GIT_COMMIT,
        GoVersion: `node ${process.version}`,
        KernelVersion: host.kernelVersion,
        MinAPIVersion: MIN_API_VERSION,
        Os: 'linux',
      },
    };
    const components = [engine];
    if (runc) components.push({ Name: 'runc', Version: runc.version, Details: { GitCommit: runc.commit } } as never);
    if (conmon) components.push({ Name: 'conmon', Version: conmon.version, Details: { GitCommit: conmon.commit } } as never);
    return {
      Platform: { Name: 'berth' },
      Components: components,
      Version: BERTH_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: GIT_COMMIT,
      GoVersion: `node ${process.version}`,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: host.kernelVersion,
      BuildTime: '',
    };
  }

  async info(): Promise<Record<string, unknown>> {
    const host = await this.facts();
    const config = this.deps.config();
    const images = await this.deps.images.all();
    const runc = await toolVersion('runc');
    const counts = await this.deps.containers.counts();
    const ipv4Forwarding = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => '0')).trim() === '1';
    const swapLimit = await swapLimitSupported();
    return {
      ID: this.deps.engineId,
      Containers: counts.total,
      ContainersRunning: counts.running,
      ContainersPaused: counts.paused,
      ContainersStopped: counts.stopped,
      Images: images.length,
      Driver: this.deps.layers.driver,
      DriverStatus: await this.deps.layers.status(),
      // The drivers berthd has, named as dockerd names its own: network drivers (null, not "none"), and log drivers but none.
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'macvlan', 'null'], Authorization: null, Log: LOG_DRIVERS.filter((d) => d !== 'none') },
      MemoryLimit: true,
      SwapLimit: swapLimit,
      ...(await kernelMemorySupport(host.cgroupVersion)),
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: ipv4Forwarding,
      BridgeNfIptables: false,
      BridgeNfIp6tables: false,
      Debug: config.debug,
      NFd: await countFds(),
      OomKillDisable: host.cgroupVersion === '1',
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: config.logDriver,
      CgroupDriver: host.cgroupDriver,
      CgroupVersion: host.cgroupVersion,
      NEventsListener: this.deps.eventListeners?.() ?? 0,
      KernelVersion: host.kernelVersion,
      OperatingSystem: host.operatingSystem,
      OSVersion: host.osVersion,
      OSType: 'linux',
      Architecture: host.architecture,
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: registryConfigInfo(config),
      NCPU: host.cpus,
      MemTotal: host.memTotal,
      GenericResources: null,
      DockerRootDir: config.dataRoot,
      HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
      HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
      NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
      Name: host.hostname,
      Labels: config.labels,
      ExperimentalBuild: false,
      ServerVersion: BERTH_VERSION,
      Runtimes: runc ? { runc: { path: 'runc' } } : {},
      DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: config.liveRestore,
      Isolation: '',
      InitBinary: 'tini',
      // dockerd's Commit shape: Expected is the ID it runs (clients warn when they differ).
      ContainerdCommit: commitInfo(''),
      RuncCommit: commitInfo(runc?.commit ?? ''),
      InitCommit: commitInfo(''),
      SecurityOptions: ['name=seccomp,profile=builtin'],
      // A Go nil slice: null when there is nothing to warn of, as dockerd answers.
      Warnings: nullWhenEmpty(infoWarnings(config, { ipv4Forwarding, swapLimit })),
    };
  }

  private async facts(): Promise<HostFacts> {
    this.host ??= await hostFacts();
    return this.host;
  }
}

/** Docker's architecture names (GOARCH) for /version. */
function goArch(): string {
  return ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
}

async function countFds(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir('/proc/self/fd').catch(() => [])).length;
}

/** A stable engine ID for this data root, made on first start (as dockerd's engine-id). */
export async function engineId(dataRoot: string): Promise<string> {
  const file = join(dataRoot, 'engine-id');
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim()) return existing.trim();
  const id = randomUUID();
  await writeFileAtomic(file, id, 0o600);
  return id;
}

/** dockerd 20.10's KernelMemory and KernelMemoryTCP: cgroup v1's kmem limit files (cgroup v2 has none). */
async function kernelMemorySupport(cgroupVersion: string): Promise<{ KernelMemory: boolean; KernelMemoryTCP: boolean }> {
  if (cgroupVersion === '2') return { KernelMemory: false, KernelMemoryTCP: false };
  return {
    KernelMemory: await exists('/sys/fs/cgroup/memory/memory.kmem.limit_in_bytes'),
    KernelMemoryTCP: await exists('/sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes'),
  };
}

function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** dockerd's /info warnings for what this host or configuration lacks. */
function nullWhenEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}

export function infoWarnings(config: DaemonConfig, facts: { ipv4Forwarding: boolean; swapLimit: boolean }): string[] {
  const warnings: string[] = [];
  for (const host of config.hosts) {
    if (!host.startsWith('tcp://') && !/^[^/]*:\d+$/.test(host)) continue;
    if (!config.tls && !config.tlsVerify) warnings.push(`WARNING: API is accessible on http://${host.replace(/^tcp:\/\//, '')} without encryption.\n         Access to the remote API is equivalent to root access on the host.`);
    else if (!config.tlsVerify) warnings.push(`WARNING: API is accessible on https://${host.replace(/^tcp:\/\//, '')} without TLS client verification`);
  }
  if (!facts.swapLimit) warnings.push('WARNING: No swap limit support');
  if (!facts.ipv4Forwarding) warnings.push('WARNING: IPv4 forwarding is disabled');
  return warnings;
}

function commitInfo(id: string): { ID: string; Expected: string } {
  return { ID: id, Expected: id };
}
