import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { conflict, EngineError, forbidden, invalid, isEngineError, notFound } from '../../lib/errors.js';
import { Mutex } from '../../lib/mutex.js';
import { linkExists, listAddresses, listRouteDestinations } from '../../platform/linux/ip.js';
import { ensureSysctl, readSysctl } from '../../platform/linux/sysctl.js';
import type { Filters } from '../images/types.js';
import type { EventBus } from '../events/types.js';
import { EmbeddedDns } from './dns.js';
import { Firewall, type FirewallNetwork, type FirewallPort } from './firewall.js';
import { filterNetworks, prunable } from './filters.js';
import { AddressAllocator, completePool, DEFAULT_ADDRESS_POOLS, pickSubnet, type AddressPool } from './ipam.js';
import { formatCidr, formatIp, parseCidr, parseIp } from './ipv4.js';
import { UserlandProxy } from './proxy.js';
import { destroySandbox, ensureBridge, deleteBridge } from './sandbox.js';
import { NetworkStore, type ContainerRecord } from './store.js';
import { SandboxBuilder } from './attach.js';
import { checkEndpointOnNetwork, checkEndpointSyntax } from './endpoint-checks.js';
import { PREDEFINED_NETWORKS } from './types.js';
import type {
  Attachment, ContainerDirectory, ContainerNetworkConfig, ContainerNetworkSettings, EndpointInfo, EndpointRequest,
  NetworkCreateRequest, NetworkRecord, NetworkService, NetworkView,
} from './types.js';

export interface NetworkServiceOptions {
  /** <data-root>/network */
  root: string;
  directory: ContainerDirectory;
  /** The default network's Linux bridge (berth0). */
  defaultBridge?: string;
  /** --bip: the default bridge's gateway address with prefix, e.g. "172.30.0.1/16". */
  bip?: string;
  /** --default-address-pool entries. */
  addressPools?: AddressPool[];
  /** Prefix of every iptables chain (BERTH). */
  chainPrefix?: string;
  /** Prefixes of netns names (berth-), user bridges (br-) and host veth ends (veth). */
  netnsPrefix?: string;
  bridgePrefix?: string;
  vethPrefix?: string;
  /** --iptables=false: no rules at all (no NAT, no DNAT, no isolation). */
  iptables?: boolean;
  /** --userland-proxy=false: ports are reserved, loopback traffic is DNATed instead of proxied. */
  userlandProxy?: boolean;
  /** Where the host's resolvers are read from (/etc/resolv.conf). */
  resolvConfPath?: string;
  /** Upstreams of the embedded DNS servers; default: the host's resolv.conf name servers. */
  upstreamResolvers?: string[];
  dnsPort?: number;
  /** --ip-forward=false: leave net.ipv4.ip_forward as the host has it. */
  ipForward?: boolean;
  /** Network events (create, connect, disconnect, destroy) go here. */
  events?: EventBus;
}

export const DEFAULT_NETWORK = 'bridge';

/** The bridge and macvlan drivers behind the NetworkService contract (see types.ts). */
export class LinuxNetworkService implements NetworkService {
  readonly networks = new Map<string, NetworkRecord>();
  readonly allocators = new Map<string, AddressAllocator>();
  readonly containers = new Map<string, ContainerRecord>();
  private readonly dns = new Map<string, EmbeddedDns>();
  readonly proxy: UserlandProxy;
  private readonly firewall: Firewall | null;
  private readonly store: NetworkStore;
  private readonly mutex = new Mutex();
  private readonly builder: SandboxBuilder;

  constructor(readonly options: NetworkServiceOptions) {
    this.store = new NetworkStore(options.root);
    this.firewall = options.iptables === false ? null : new Firewall(options.chainPrefix ?? 'BERTH', options.userlandProxy !== false);
    this.proxy = new UserlandProxy(options.userlandProxy !== false, [49153, 60999]);
    this.builder = new SandboxBuilder(this);
  }

  get prefixes() {
    return { netns: this.options.netnsPrefix ?? 'berth-', bridge: this.options.bridgePrefix ?? 'br-', veth: this.options.vethPrefix ?? 'veth' };
  }

  async init(): Promise<void> {
    const range = (await readSysctl('net.ipv4.ip_local_port_range').catch(() => '49153 60999')).split(/\s+/).map(Number);
    if (range.length === 2 && range.every(Number.isInteger)) this.proxy.setEphemeralRange([range[0]!, range[1]!]);
    for (const n of await this.store.loadAll<NetworkRecord>('networks')) this.addNetwork(n);
    for (const c of await this.store.loadAll<ContainerRecord>('containers')) this.containers.set(c.id, c);
    for (const c of this.containers.values()) {
      for (const e of c.sandbox?.endpoints ?? []) this.allocators.get(e.networkId)?.claim(e.plan.ip);
    }
    await this.ensurePredefined();
    for (const n of this.networks.values()) if (n.driver === 'bridge') await this.prepareBridge(n.device!, this.gatewayCidr(n));
    if (this.firewall) {
      if (this.options.ipForward !== false) await ensureSysctl('net.ipv4.ip_forward', '1');
      await this.firewall.install(this.firewallNetworks(), this.firewallPorts());
    }
    for (const n of this.networks.values()) await this.startDns(n);
  }

  /**
   * Brings a bridge up. Without the userland proxy, traffic to a published
   * port on 127.0.0.1 is DNATed to a container, which the kernel routes out of
   * the bridge only with route_localnet set on it (Docker does the same).
   */
  private async prepareBridge(device: string, gatewayCidr: string | null): Promise<void> {
    await ensureBridge(device, gatewayCidr);
    if (this.firewall && this.options.userlandProxy === false) await ensureSysctl(`net.ipv4.conf.${device}.route_localnet`, '1');
  }

  async restore(runningContainerIds: string[]): Promise<void> {
    const running = new Set(runningContainerIds);
    for (const c of this.containers.values()) {
      if (!c.sandbox) continue;
      if (running.has(c.id)) await this.builder.republish(c);
      else await this.builder.teardown(c);
    }
    await this.applyFirewall();
  }

  async close(): Promise<void> {
    await this.proxy.closeAll();
    await Promise.all([...this.dns.values()].map((d) => d.stop()));
    this.dns.clear();
  }

  /** Tests: removes everything this service made (bridges, sandboxes, chains, records stay on disk). */
  async destroyAll(): Promise<void> {
    await this.close();
    for (const c of this.containers.values()) if (c.sandbox) await destroySandbox(c.sandbox.netns ?? '', c.sandbox.endpoints.map((e) => e.plan)).catch(() => undefined);
    for (const n of this.networks.values()) if (n.driver === 'bridge') await deleteBridge(n.device!).catch(() => undefined);
    await this.firewall?.uninstall();
  }

  // ── networks ────────────────────────────────────────────────────────────

  create(request: NetworkCreateRequest): Promise<{ id: string; warning: string }> {
    return this.mutex.run(async () => {
      const name = request.Name ?? '';
      // As dockerd, any name: spaces, slashes and colons too (the ID names the bridge and the files).
      if (!name) throw invalid('invalid name: ');
      const warning = this.duplicateName(name, request.CheckDuplicate !== false);
      const driver = request.Driver || 'bridge';
      if (driver !== 'bridge' && driver !== 'macvlan') throw notFound(`plugin "${driver}" not found`);
      const id = randomBytes(32).toString('hex');
      const record: NetworkRecord = {
        id, name, driver, created: new Date().toISOString(), scope: 'local',
        internal: !!request.Internal, attachable: !!request.Attachable, ipv6: false,
        ipam: [await this.poolFor(request, name)], options: { ...(request.Options ?? {}) }, labels: { ...(request.Labels ?? {}) },
      };
      if (driver === 'bridge') {
        record.device = request.Options?.['com.docker.network.bridge.name'] || `${this.prefixes.bridge}${id.slice(0, 12)}`;
        if (await linkExists(record.device)) throw conflict(`bridge ${record.device} already exists on the host`);
        await this.prepareBridge(record.device, this.gatewayCidr(record));
      } else {
        record.device = request.Options?.parent;
        if (!record.device) throw invalid('macvlan networks need a parent interface: -o parent=<interface>');
        if (!(await linkExists(record.device))) throw invalid(`-o parent interface was not found on the host: ${record.device}`);
        const mode = request.Options?.macvlan_mode ?? 'bridge';
        if (!['bridge', 'vepa', 'private', 'passthru'].includes(mode)) throw invalid(`macvlan_mode ${mode} is not one of bridge, vepa, private, passthru`);
      }
      if (!request.IPAM?.Config?.[0]?.Subnet) record.autoSubnet = true;
      this.addNetwork(record);
      try {
        await this.store.saveNetwork(record);
        await this.applyFirewall();
        await this.startDns(record);
      } catch (err) {
        await this.dropNetwork(record);
        throw err;
      }
      this.publish('create', record);
      return { id, warning };
    });
  }

  /**
   * dockerd 20.10: a predefined name is never taken again; another existing
   * name is refused when the client checks duplicates, else it is taken with
   * a warning naming the first network of that name.
   */
  private duplicateName(name: string, check: boolean): string {
    if ((PREDEFINED_NETWORKS as readonly string[]).includes(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    const existing = [...this.networks.values()].filter((n) => n.name === name).sort((a, b) => a.created.localeCompare(b.created))[0];
    if (!existing) return '';
    if (check) throw conflict(`network with name ${name} already exists`);
    return `Network with name ${name} (id : ${existing.id}) already exists`;
  }

  async list(filters?: Filters): Promise<NetworkView[]> {
    const views = [...this.networks.values()].map((n) => this.view(n));
    return filterNetworks(views, filters).sort((a, b) => a.name.localeCompare(b.name));
  }

  async inspect(idOrName: string): Promise<NetworkView> {
    // GET /networks/{id} words a name's ambiguity its own way in dockerd.
    const byName = this.networks.has(idOrName) ? [] : [...this.networks.values()].filter((n) => n.name === idOrName);
    if (byName.length > 1) throw invalid(`${byName.length} matches found based on name: network ${idOrName} is ambiguous`);
    return this.view(this.resolveNetwork(idOrName));
  }

  remove(idOrName: string): Promise<void> {
    return this.mutex.run(async () => {
      const n = this.resolveNetwork(idOrName);
      if (n.driver === 'host' || n.driver === 'null' || n.name === DEFAULT_NETWORK) {
        throw forbidden(`${n.name} is a pre-defined network and cannot be removed`);
      }
      if (this.view(n).endpoints.length > 0) throw forbidden(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
      await this.dropNetwork(n);
      this.publish('destroy', n);
    });
  }

  prune(filters?: Filters): Promise<string[]> {
    return this.mutex.run(async () => {
      const removed: string[] = [];
      for (const n of [...this.networks.values()]) {
        if (!prunable(this.view(n), filters)) continue;
        await this.dropNetwork(n);
        this.publish('destroy', n);
        removed.push(n.name);
      }
      return removed.sort();
    });
  }

  // ── containers ──────────────────────────────────────────────────────────

  register(containerId: string, config: ContainerNetworkConfig): Promise<void> {
    return this.mutex.run(async () => {
      const networks: ContainerRecord['networks'] = [];
      const mode = normaliseMode(config.networkMode);
      const requests = new Map<string, EndpointRequest>();
      // As dockerd, a network that does not exist (yet) is looked for at start: compose creates containers before their networks.
      for (const [key, request] of Object.entries(config.endpoints ?? {})) requests.set(this.findNetwork(key)?.id ?? key, request ?? {});
      if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
        if (requests.size > 0 && !(requests.size === 1 && this.resolveNetwork(Object.keys(config.endpoints)[0]!).name === mode)) {
          throw invalid(`conflicting options: ${mode} network mode and networking config for other networks`);
        }
        if (mode.startsWith('container:')) await this.options.directory.lookup(mode.slice('container:'.length));
      } else {
        const primaryId = this.findNetwork(mode)?.id ?? mode;
        const primaryRequest = { ...(requests.get(primaryId) ?? {}) };
        if (config.macAddress && !primaryRequest.macAddress) primaryRequest.macAddress = config.macAddress;
        networks.push({ networkId: primaryId, request: primaryRequest });
        for (const [networkId, request] of requests) if (networkId !== primaryId) networks.push({ networkId, request });
        // As dockerd: the syntax now, the rest when the endpoint is made (start).
        for (const { request } of networks) checkEndpointSyntax(request, 'create');
      }
      const record: ContainerRecord = { id: containerId, config: { ...config, networkMode: mode }, networks, sandbox: this.containers.get(containerId)?.sandbox };
      this.containers.set(containerId, record);
      await this.store.saveContainer(record);
    });
  }

  attach(containerId: string): Promise<Attachment> {
    return this.mutex.run(async () => {
      const record = this.record(containerId);
      if (record.sandbox) return record.sandbox.attachment;
      this.resolveLateNetworks(record);
      record.sandbox = await this.builder.build(record);
      try {
        await this.store.saveContainer(record);
        await this.applyFirewall();
      } catch (err) {
        await this.builder.teardown(record);
        throw err;
      }
      this.publishEndpoints('connect', record);
      return record.sandbox.attachment;
    });
  }

  detach(containerId: string): Promise<void> {
    return this.mutex.run(async () => {
      const record = this.containers.get(containerId);
      if (!record?.sandbox) return;
      this.publishEndpoints('disconnect', record);
      await this.builder.teardown(record);
      await this.store.saveContainer(record);
      await this.applyFirewall();
    });
  }

  async unregister(containerId: string): Promise<void> {
    await this.detach(containerId);
    await this.mutex.run(async () => {
      this.containers.delete(containerId);
      await this.store.delete('containers', containerId);
    });
  }

  rename(containerId: string, name: string): Promise<void> {
    return this.mutex.run(async () => {
      const record = this.record(containerId);
      record.config.name = name;
      await this.store.saveContainer(record);
    });
  }

  setLinks(containerId: string, links: string[]): Promise<void> {
    return this.mutex.run(async () => {
      const record = this.record(containerId);
      record.config.links = links;
      await this.store.saveContainer(record);
    });
  }

  connect(network: string, container: string, endpoint: EndpointRequest = {}): Promise<void> {
    return this.mutex.run(async () => {
      const n = this.resolveNetwork(network);
      const facts = await this.options.directory.lookup(container);
      const record = this.record(facts.id);
      const mode = record.config.networkMode;
      if (n.driver === 'host' || n.driver === 'null' || mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
        throw forbidden(`container cannot be disconnected from host network or connected to host network`);
      }
      if (record.networks.some((x) => x.networkId === n.id)) throw forbidden(`endpoint with name ${facts.name} already exists in network ${n.name}`);
      // The container's own MacAddress (Config.MacAddress) belongs to its primary network, also when it is connected again.
      const request = { ...endpoint };
      if (!request.macAddress && record.config.macAddress && this.isPrimary(record, n)) request.macAddress = record.config.macAddress;
      checkEndpointSyntax(request, 'connect');
      this.validateEndpoint(n, request);
      record.networks.push({ networkId: n.id, request });
      if (record.sandbox) {
        try {
          await this.builder.connectLive(record, n, request);
        } catch (err) {
          record.networks.pop();
          throw err;
        }
        this.publish('connect', n, facts.id);
      }
      await this.store.saveContainer(record);
      await this.applyFirewall();
    });
  }

  disconnect(network: string, container: string, force = false): Promise<void> {
    return this.mutex.run(async () => {
      const n = this.resolveNetwork(network);
      const facts = await this.options.directory.lookup(container).catch((err) => {
        if (force) return { id: container, name: container };
        throw err;
      });
      const record = this.record(facts.id);
      const index = record.networks.findIndex((x) => x.networkId === n.id);
      if (index < 0) throw forbidden(`container ${facts.id} is not connected to network ${n.name}`);
      if (record.sandbox) {
        await this.builder.disconnectLive(record, n.id);
        this.publish('disconnect', n, facts.id);
      }
      record.networks.splice(index, 1);
      await this.store.saveContainer(record);
      await this.applyFirewall();
    });
  }

  async settings(containerId: string): Promise<ContainerNetworkSettings> {
    const record = this.record(containerId);
    const mode = record.config.networkMode;
    const endpoints: EndpointInfo[] = [];
    for (const { networkId, request } of record.networks) {
      const live = record.sandbox?.endpoints.find((e) => e.networkId === networkId);
      endpoints.push(this.endpointInfo(record, networkId, request, live));
    }
    if (mode === 'host' || mode === 'none') endpoints.push(this.endpointInfo(record, this.resolveNetwork(mode).id, {}, undefined));
    return {
      mode: this.modeName(mode),
      sandboxKey: record.sandbox?.netns ? `/run/netns/${record.sandbox.netns}` : '',
      ports: record.sandbox?.attachment.ports ?? {},
      endpoints,
    };
  }

  // ── helpers shared with attach.ts ───────────────────────────────────────

  resolveNetwork(idOrName: string): NetworkRecord {
    const all = [...this.networks.values()];
    const byId = this.networks.get(idOrName);
    if (byId) return byId;
    // Two networks may share a name (CheckDuplicate: false): then the name names neither, as in dockerd.
    const byName = all.filter((n) => n.name === idOrName);
    if (byName.length > 1) throw invalid(`network ${idOrName} is ambiguous (${byName.length} matches found based on name)`);
    if (byName[0]) return byName[0];
    const byPrefix = idOrName.length > 0 ? all.filter((n) => n.id.startsWith(idOrName)) : [];
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) throw notFound(`network ${idOrName} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw notFound(`network ${idOrName} not found`);
  }

  /** A network resolved, or undefined when none has that ID, name or unique ID prefix. */
  findNetwork(idOrName: string): NetworkRecord | undefined {
    try {
      return this.resolveNetwork(idOrName);
    } catch (err) {
      if (isEngineError(err, 'notFound')) return undefined;
      throw err;
    }
  }

  /**
   * At start: networks named at create that did not exist then (still missing
   * is dockerd's "network x not found"), and each endpoint checked against its network.
   */
  private resolveLateNetworks(record: ContainerRecord): void {
    for (const entry of record.networks) {
      const n = this.networks.get(entry.networkId) ?? this.resolveNetwork(entry.networkId);
      this.validateEndpoint(n, entry.request);
      entry.networkId = n.id;
    }
  }

  record(containerId: string): ContainerRecord {
    const record = this.containers.get(containerId);
    if (!record) throw notFound(`no network configuration for container ${containerId}`);
    return record;
  }

  async hostResolvConf(): Promise<string> {
    return readFile(this.options.resolvConfPath ?? '/etc/resolv.conf', 'utf8').catch(() => '');
  }

  /** The embedded DNS address of a network: user bridge networks only. */
  embeddedDnsAddress(n: NetworkRecord): string | null {
    return this.dns.has(n.id) ? n.ipam[0]?.Gateway ?? null : null;
  }

  async applyFirewall(): Promise<void> {
    await this.firewall?.apply(this.firewallNetworks(), this.firewallPorts());
  }

  private view(n: NetworkRecord): NetworkView {
    const endpoints: EndpointInfo[] = [];
    for (const c of this.containers.values()) {
      const live = c.sandbox?.endpoints.find((e) => e.networkId === n.id);
      if (live) endpoints.push(this.endpointInfo(c, n.id, c.networks.find((x) => x.networkId === n.id)?.request ?? {}, live));
      else if (c.sandbox && (n.driver === 'host' || n.driver === 'null') && c.config.networkMode === n.name) endpoints.push(this.endpointInfo(c, n.id, {}, undefined));
    }
    return { ...n, endpoints };
  }

  private endpointInfo(c: ContainerRecord, networkId: string, request: EndpointRequest, live: ContainerRecord['sandbox'] extends infer S ? S extends { endpoints: Array<infer E> } ? E | undefined : never : never): EndpointInfo {
    return {
      containerId: c.id,
      containerName: c.config.name,
      networkId,
      endpointId: live?.endpointId ?? '',
      ipAddress: live?.plan.ip ?? '',
      prefixLength: live?.plan.prefixLength ?? 0,
      gateway: live?.gateway ?? '',
      macAddress: live?.plan.mac ?? '',
      aliases: live?.aliases ?? request.aliases ?? [],
      ipamConfig: requestedIpam(request),
      driverOpts: request.driverOpts,
      links: request.links ?? (this.networks.get(networkId)?.name === DEFAULT_NETWORK ? c.config.links : []),
      hostInterface: live?.plan.driver === 'bridge' ? live.plan.hostIfname : undefined,
    };
  }

  private isPrimary(record: ContainerRecord, n: NetworkRecord): boolean {
    const mode = record.config.networkMode;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return false;
    try {
      return this.resolveNetwork(mode).id === n.id;
    } catch {
      return false; // the primary network is gone
    }
  }

  private modeName(mode: string): string {
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return mode;
    return this.findNetwork(mode)?.name === DEFAULT_NETWORK ? 'bridge' : mode;
  }

  private validateEndpoint(n: NetworkRecord, request: EndpointRequest): void {
    checkEndpointOnNetwork(n, request, n.name === DEFAULT_NETWORK);
  }

  private addNetwork(n: NetworkRecord): void {
    this.networks.set(n.id, n);
    if (n.ipam[0]) this.allocators.set(n.id, new AddressAllocator(n.ipam[0], `${n.name} (${n.id})`));
  }

  /** A network event as dockerd sends it: the network's ID, its name and driver, and the container for (dis)connects. */
  private publish(action: 'create' | 'connect' | 'disconnect' | 'destroy', n: NetworkRecord, containerId?: string): void {
    this.options.events?.publish('network', action, n.id, { name: n.name, type: n.driver, ...(containerId ? { container: containerId } : {}) });
  }

  /** Connect or disconnect events for every network a starting or stopping container is on. */
  private publishEndpoints(action: 'connect' | 'disconnect', record: ContainerRecord): void {
    for (const { networkId } of record.networks) {
      const n = this.networks.get(networkId);
      if (n) this.publish(action, n, record.id);
    }
  }

  private async dropNetwork(n: NetworkRecord): Promise<void> {
    await this.dns.get(n.id)?.stop();
    this.dns.delete(n.id);
    this.networks.delete(n.id);
    this.allocators.delete(n.id);
    await this.applyFirewall();
    if (n.driver === 'bridge') await deleteBridge(n.device!);
    await this.store.delete('networks', n.id);
  }

  private gatewayCidr(n: NetworkRecord): string | null {
    const pool = n.ipam[0];
    return pool?.Gateway ? `${pool.Gateway}/${parseCidr(pool.Subnet).prefix}` : null;
  }

  private async poolFor(request: NetworkCreateRequest, name: string) {
    const given = request.IPAM?.Config?.[0];
    if (given?.Subnet) {
      const pool = completePool(given, { network: name });
      const subnet = parseCidr(pool.Subnet);
      for (const other of this.networks.values()) {
        const o = other.ipam[0];
        if (o && overlapsCidr(subnet, parseCidr(o.Subnet))) throw forbidden(`invalid pool request: Pool overlaps with other one on this address space`);
      }
      return pool;
    }
    // dockerd parses the missing subnet and says so (500).
    if (given && (given.Gateway || given.IPRange)) throw new EngineError('internal', 'Invalid subnet  : invalid CIDR address: ');
    const subnet = pickSubnet(this.options.addressPools ?? DEFAULT_ADDRESS_POOLS, await this.takenSubnets());
    return completePool({ Subnet: formatCidr(subnet) });
  }

  /** Host routes, host addresses and existing networks: a new subnet must overlap none of them. */
  private async takenSubnets() {
    const taken = [...this.networks.values()].flatMap((n) => (n.ipam[0] ? [parseCidr(n.ipam[0].Subnet)] : []));
    for (const dst of await listRouteDestinations()) taken.push(parseCidr(dst));
    for (const a of await listAddresses()) for (const cidr of a.cidrs) taken.push(parseCidr(cidr));
    return taken;
  }

  private async ensurePredefined(): Promise<void> {
    const byName = (name: string) => [...this.networks.values()].find((n) => n.name === name);
    if (!byName(DEFAULT_NETWORK)) await this.createDefaultBridge();
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (byName(name)) continue;
      const record: NetworkRecord = {
        id: randomBytes(32).toString('hex'), name, driver, created: new Date().toISOString(), scope: 'local',
        internal: false, attachable: false, ipv6: false, ipam: [], options: {}, labels: {},
      };
      this.addNetwork(record);
      await this.store.saveNetwork(record);
    }
  }

  private async createDefaultBridge(): Promise<void> {
    const bridge = this.options.defaultBridge ?? 'berth0';
    let pool;
    if (this.options.bip) {
      const cidr = parseCidr(this.options.bip);
      pool = { Subnet: formatCidr(cidr), Gateway: this.options.bip.split('/')[0]! };
    } else {
      const own = (await listAddresses()).find((a) => a.ifname === bridge)?.cidrs[0];
      const subnet = own ? parseCidr(own) : pickSubnet(this.options.addressPools ?? DEFAULT_ADDRESS_POOLS, await this.takenSubnets());
      pool = { Subnet: formatCidr(subnet), Gateway: own ? own.split('/')[0]! : formatIp(subnet.base + 1) };
    }
    const record: NetworkRecord = {
      id: randomBytes(32).toString('hex'), name: DEFAULT_NETWORK, driver: 'bridge', created: new Date().toISOString(), scope: 'local',
      internal: false, attachable: false, ipv6: false, ipam: [pool], labels: {}, device: bridge,
      options: {
        'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': bridge, 'com.docker.network.driver.mtu': '1500',
      },
    };
    this.addNetwork(record);
    await this.store.saveNetwork(record);
  }

  private async startDns(n: NetworkRecord): Promise<void> {
    if (n.driver !== 'bridge' || n.name === DEFAULT_NETWORK || !n.ipam[0]?.Gateway || this.dns.has(n.id)) return;
    const server = new EmbeddedDns(n.ipam[0].Gateway, this.builder.resolverFor(n.id), this.options.dnsPort ?? 53);
    await server.start();
    this.dns.set(n.id, server);
  }

  private firewallNetworks(): FirewallNetwork[] {
    return [...this.networks.values()]
      .filter((n) => n.driver === 'bridge' && n.ipam[0])
      .map((n) => ({ bridge: n.device!, subnet: n.ipam[0]!.Subnet, internal: n.internal }));
  }

  private firewallPorts(): FirewallPort[] {
    const out: FirewallPort[] = [];
    for (const c of this.containers.values()) {
      const primary = c.sandbox?.endpoints[0];
      if (!primary || primary.plan.driver !== 'bridge') continue;
      for (const p of c.sandbox!.ports) out.push({ ...p, bridge: primary.plan.device });
    }
    return out;
  }
}

function overlapsCidr(a: { base: number; prefix: number }, b: { base: number; prefix: number }): boolean {
  return a.base < b.base + 2 ** (32 - b.prefix) && b.base < a.base + 2 ** (32 - a.prefix);
}

/** "", "default" and "bridge" all mean the default bridge network. */
function normaliseMode(mode: string): string {
  return mode === '' || mode === 'default' ? DEFAULT_NETWORK : mode;
}

/** Docker's EndpointIPAMConfig of a request: the fields given (omitempty), or nothing (null in inspect). */
function requestedIpam(request: EndpointRequest): EndpointInfo['ipamConfig'] {
  const out: NonNullable<EndpointInfo['ipamConfig']> = {};
  if (request.ipv4Address) out.IPv4Address = request.ipv4Address;
  if (request.ipv6Address) out.IPv6Address = request.ipv6Address;
  if (request.linkLocalIps?.length) out.LinkLocalIPs = [...request.linkLocalIps];
  return Object.keys(out).length ? out : undefined;
}
