import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { conflict, EngineError, forbidden, invalid, isEngineError, notFound } from '../../lib/errors.js';
import { allDone } from '../../lib/all-done.js';
import { Mutex } from '../../lib/mutex.js';
import { linkExists, listAddresses, listRouteDestinations, runTool } from '../../platform/linux/ip.js';
import { netnsPath } from '../../platform/linux/netns.js';
import { ensureSysctl, readSysctl } from '../../platform/linux/sysctl.js';
import type { Filters } from '../images/types.js';
import type { EventBus } from '../events/types.js';
import { Firewall, type FirewallNetwork, type FirewallPort } from './firewall.js';
import { filterNetworks, prunable } from './filters.js';
import { AddressAllocator, completePool, DEFAULT_ADDRESS_POOLS, pickSubnet, type AddressPool } from './ipam.js';
import { checkPool6, gateway6Of, Ipv6Allocator, ipv6Pool, isIpv6Pool, pickSubnet6 } from './ipam6.js';
import { formatCidr, formatIp, parseCidr } from './ipv4.js';
import { formatAddress, formatPrefix, parsePrefix, type IpPrefix } from './ipv6.js';
import { UserlandProxy } from './proxy.js';
import { checkBridgeOptions, masquerades } from './bridge-options.js';
import { destroySandbox, ensureBridge, deleteBridge, settleHostEndDeletions } from './sandbox.js';
import { NetworkStore, type ContainerRecord } from './store.js';
import { SandboxBuilder } from './attach.js';
import { checkEndpointOnNetwork, checkEndpointSyntax } from './endpoint-checks.js';
import { PREDEFINED_NETWORKS } from './types.js';
import type {
  Attachment, ContainerDirectory, ContainerNetworkConfig, ContainerNetworkSettings, EndpointInfo, EndpointRequest,
  IpamPool, NetworkCreateRequest, NetworkRecord, NetworkService, NetworkView, StagedAttachment,
} from './types.js';

export interface NetworkServiceOptions {
  /** <data-root>/network */
  root: string;
  directory: ContainerDirectory;
  /** The default network's Linux bridge (berth0); null: no default network (dockerd's -b none). */
  defaultBridge?: string | null;
  /** --bip: the default bridge's gateway address with prefix, e.g. "172.30.0.1/16". */
  bip?: string;
  /** --default-address-pool entries (IPv6 ones serve --ipv6 networks created without a subnet). */
  addressPools?: AddressPool[];
  /** --ipv6: the default bridge has IPv6 enabled. */
  ipv6?: boolean;
  /** --fixed-cidr-v6: the default bridge's IPv6 subnet, e.g. "fd00:db8:1::/64". */
  fixedCidrV6?: string;
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
  /** --ip-forward=false: leave net.ipv4.ip_forward as the host has it. */
  ipForward?: boolean;
  /** Network events (create, connect, disconnect, destroy) go here. */
  events?: EventBus;
}

export const DEFAULT_NETWORK = 'bridge';

/** The bridge and macvlan drivers behind the NetworkService contract (see types.ts). */
/**
 * dockerd's refusals (all 400) for a container whose network mode cannot
 * have another network, or a network no container can join besides its own;
 * what is left (joining the network it is already in) berth refuses below.
 */
function checkIsolation(mode: string, driver: string): void {
  const shared = 'container sharing network namespace with another container or host cannot be connected to any other network';
  if (mode.startsWith('container:')) throw invalid(shared);
  if (driver === 'host' && mode !== 'host') throw invalid('container cannot be disconnected from host network or connected to host network');
  if (mode === 'host' && driver !== 'host') throw invalid(shared);
  if ((mode === 'none') !== (driver === 'null')) throw invalid('container cannot be connected to multiple networks with one of the networks in private (none) mode');
}

export class LinuxNetworkService implements NetworkService {
  readonly networks = new Map<string, NetworkRecord>();
  readonly allocators = new Map<string, AddressAllocator>();
  /** IPv6 pools of the networks with IPv6 enabled. */
  readonly allocators6 = new Map<string, Ipv6Allocator>();
  readonly containers = new Map<string, ContainerRecord>();
  readonly proxy: UserlandProxy;
  private readonly firewall: Firewall | null;
  private readonly firewall6: Firewall | null;
  /** Whether the ip6tables chains are in place: only once a network has IPv6, so hosts without ip6tables never need it. */
  private firewall6Installed = false;
  private readonly store: NetworkStore;
  private readonly mutex = new Mutex();
  private readonly builder: SandboxBuilder;

  constructor(readonly options: NetworkServiceOptions) {
    this.store = new NetworkStore(options.root);
    this.firewall = options.iptables === false ? null : new Firewall(options.chainPrefix ?? 'BERTH', options.userlandProxy !== false);
    this.firewall6 = options.iptables === false ? null : new Firewall(options.chainPrefix ?? 'BERTH', options.userlandProxy !== false, 6);
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
      for (const e of c.sandbox?.endpoints ?? []) {
        this.allocators.get(e.networkId)?.claim(e.plan.ip);
        if (e.plan.ip6) this.allocators6.get(e.networkId)?.claim(e.plan.ip6);
      }
    }
    if (this.defaultBridgeDisabled) await this.dropDefaultBridge();
    await this.ensurePredefined();
    for (const n of this.networks.values()) if (n.driver === 'bridge') await this.prepareBridge(n);
    if (this.firewall) {
      if (this.options.ipForward !== false) await ensureSysctl('net.ipv4.ip_forward', '1');
      await this.firewall.install(this.firewallNetworks(4), this.firewallPorts(4));
      // Chains of an earlier run that used IPv6 go, unless IPv6 networks still need them.
      if (this.firewallNetworks(6).length === 0) await this.firewall6!.uninstall().catch(() => undefined);
      else await this.applyFirewall6();
    }
  }

  /**
   * Brings a bridge up. Without the userland proxy, traffic to a published
   * port on 127.0.0.1 is DNATed to a container, which the kernel routes out of
   * the bridge only with route_localnet set on it (Docker does the same).
   */
  private async prepareBridge(n: NetworkRecord): Promise<void> {
    const device = n.device!;
    const gateway6 = this.gatewayCidr6(n);
    await ensureBridge(device, this.gatewayCidr(n), gateway6);
    // As dockerd's bridge driver: IPv6 forwarding for all interfaces (ip_forward's IPv6 twins).
    if (gateway6 && this.options.ipForward !== false) {
      for (const scope of ['default', 'all']) await ensureSysctl(`net.ipv6.conf.${scope}.forwarding`, '1');
    }
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
    await this.builder.dns.stopAll();
    await settleHostEndDeletions();
  }

  /** Tests: removes everything this service made (bridges, sandboxes, chains, records stay on disk). */
  async destroyAll(): Promise<void> {
    await this.close();
    for (const c of this.containers.values()) if (c.sandbox) await destroySandbox(c.sandbox.netns ?? '', c.sandbox.endpoints.map((e) => e.plan)).catch(() => undefined);
    await settleHostEndDeletions();
    for (const n of this.networks.values()) if (n.driver === 'bridge') await deleteBridge(n.device!).catch(() => undefined);
    await this.firewall?.uninstall();
    await this.firewall6?.uninstall().catch(() => undefined);
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
      if (driver === 'bridge') checkBridgeOptions(request.Options);
      const id = randomBytes(32).toString('hex');
      const record: NetworkRecord = {
        id, name, driver, created: new Date().toISOString(), scope: 'local',
        internal: !!request.Internal, attachable: !!request.Attachable, ipv6: !!request.EnableIPv6,
        ipam: [await this.poolFor(request, name), ...(await this.pool6For(request))], options: { ...(request.Options ?? {}) }, labels: { ...(request.Labels ?? {}) },
      };
      if (driver === 'bridge') {
        record.device = request.Options?.['com.docker.network.bridge.name'] || `${this.prefixes.bridge}${id.slice(0, 12)}`;
        if (await linkExists(record.device)) throw conflict(`bridge ${record.device} already exists on the host`);
        await this.prepareBridge(record);
      } else {
        record.device = request.Options?.parent;
        if (!record.device) throw invalid('macvlan networks need a parent interface: -o parent=<interface>');
        if (!(await linkExists(record.device))) throw invalid(`-o parent interface was not found on the host: ${record.device}`);
        const mode = request.Options?.macvlan_mode ?? 'bridge';
        if (!['bridge', 'vepa', 'private', 'passthru'].includes(mode)) throw invalid(`macvlan_mode ${mode} is not one of bridge, vepa, private, passthru`);
      }
      if (!request.IPAM?.Config?.[0]?.Subnet) record.autoSubnet = true;
      const given4 = request.IPAM?.Config?.find((p) => !isIpv6Pool(p));
      if (given4?.Subnet && !given4.Gateway && record.ipam[0]?.Gateway) record.gatewayPicked = true;
      record.ipamOptions = request.IPAM?.Options ?? null;
      this.addNetwork(record);
      try {
        await this.store.saveNetwork(record);
        await this.applyFirewall();
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

  /**
   * Records a container's network configuration. It touches no shared state
   * (no addresses, sandboxes or firewall rules: those come at attach), so it
   * does not wait for the network lock: creates would queue behind every
   * start's and exit's plumbing otherwise. The container area calls it once
   * per container, before any attach, and orders attach, detach and unregister
   * of one container under that container's lock.
   */
  async register(containerId: string, config: ContainerNetworkConfig): Promise<void> {
    const mode = normaliseMode(config.networkMode);
    // Config.NetworkDisabled: no endpoint whatever the mode, as dockerd's updateContainerNetworkSettings.
    const networks = config.disabled ? [] : await this.plannedEndpoints(config, mode);
    const existing = this.containers.get(containerId);
    const record: ContainerRecord = { id: containerId, config: { ...config, networkMode: mode }, networks, sandbox: existing?.sandbox, shownSandbox: existing?.shownSandbox };
    this.containers.set(containerId, record);
    await this.store.saveContainer(record);
  }

  /** The endpoints a container's mode and EndpointsConfig ask for, checked as dockerd checks them at create. */
  private async plannedEndpoints(config: ContainerNetworkConfig, mode: string): Promise<ContainerRecord['networks']> {
    const networks: ContainerRecord['networks'] = [];
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
    return networks;
  }

  isRegistered(containerId: string): boolean {
    return this.containers.has(containerId);
  }

  attach(containerId: string): Promise<Attachment> {
    return this.attachStaged(containerId).ready;
  }

  attachStaged(containerId: string): StagedAttachment {
    if (ownsNothingShared(this.record(containerId))) {
      const alone = this.attachAlone(containerId);
      return { early: alone, ready: alone };
    }
    let early!: { resolve: (a: Attachment) => void; reject: (err: unknown) => void };
    const earlyPromise = new Promise<Attachment>((resolve, reject) => (early = { resolve, reject }));
    earlyPromise.catch(() => undefined); // a caller of attach() awaits only `ready`
    const ready = this.mutex.run(async () => {
      const record = this.record(containerId);
      if (record.sandbox) return record.sandbox.attachment;
      this.resolveLateNetworks(record);
      const { sandbox, plumbed } = await this.builder.build(record);
      record.sandbox = sandbox;
      early.resolve(sandbox.attachment);
      try {
        // The rules and the record are written while the interfaces inside are set up.
        await allDone([plumbed, this.store.saveContainer(record, { sandboxOnly: true }), this.applyFirewall()]);
      } catch (err) {
        await this.builder.teardown(record);
        throw err;
      }
      this.publishEndpoints('connect', record);
      return record.sandbox.attachment;
    });
    // Whatever `ready` gives or throws, `early` has settled by then (a no-op once resolved).
    ready.then(early.resolve, early.reject);
    return { early: earlyPromise, ready };
  }

  /**
   * --network none or host: no address, interface, port or rule, nothing
   * another container sees, so no queueing behind every bridge sandbox's
   * plumbing for the network lock (the container's own lock orders its
   * attach and detach). dockerd's none and host sandboxes take no global lock either.
   */
  private async attachAlone(containerId: string): Promise<Attachment> {
    const record = this.record(containerId);
    if (record.sandbox) return record.sandbox.attachment;
    const { sandbox } = await this.builder.build(record); // nothing to plumb: none, host or another's namespace
    record.sandbox = sandbox;
    try {
      await this.store.saveContainer(record, { sandboxOnly: true });
    } catch (err) {
      await this.builder.teardown(record);
      throw err;
    }
    return sandbox.attachment;
  }

  async detach(containerId: string): Promise<void> {
    // Without a sandbox there is nothing to tear down, so no reason to queue for the lock. The
    // callers order attach and detach of one container (its lock), so none can be on its way.
    const found = this.containers.get(containerId);
    if (!found?.sandbox) return;
    if (ownsNothingShared(found)) {
      await this.builder.teardown(found);
      await this.store.saveContainer(found, { sandboxOnly: true });
      return;
    }
    return this.mutex.run(async () => {
      const record = this.containers.get(containerId);
      if (!record?.sandbox) return;
      this.publishEndpoints('disconnect', record);
      await this.builder.teardown(record);
      await this.store.saveContainer(record, { sandboxOnly: true });
      await this.applyFirewall();
    });
  }

  /** As register: after detach, only the container's own record goes, without the network lock. */
  async unregister(containerId: string): Promise<void> {
    await this.detach(containerId);
    this.containers.delete(containerId);
    await this.store.delete('containers', containerId);
  }

  rename(containerId: string, name: string): Promise<void> {
    return this.mutex.run(async () => {
      const record = this.record(containerId);
      record.config.name = name;
      record.config.anonymous = false; // a name given by rename is known to DNS, as dockerd does
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
      if (this.isDisabledDefault(network)) return void (await this.noteDisabledDefault(container, 'connect'));
      const n = this.resolveNetwork(network);
      const facts = await this.options.directory.lookup(container);
      const record = this.record(facts.id);
      const mode = record.config.networkMode;
      checkIsolation(mode, n.driver);
      if (n.driver === 'host' || n.driver === 'null' || mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
        throw forbidden(`container cannot be disconnected from host network or connected to host network`);
      }
      const existing = record.networks.findIndex((x) => x.networkId === n.id);
      if (existing >= 0 && record.sandbox) throw forbidden(`endpoint with name ${facts.name} already exists in network ${n.name}`);
      // The container's own MacAddress (Config.MacAddress) belongs to its primary network, also when it is connected again.
      const request = { ...endpoint };
      if (!request.macAddress && record.config.macAddress && this.isPrimary(record, n)) request.macAddress = record.config.macAddress;
      checkEndpointSyntax(request, 'connect');
      this.validateEndpoint(n, request);
      // As dockerd: connecting a container that is not running again changes nothing ("avoid duplicate config").
      if (existing >= 0) return;
      // dockerd stores the short ID among the aliases of a user-defined network at connect, so inspect shows it before the start.
      const shortId = facts.id.slice(0, 12);
      if (!record.sandbox && n.name !== DEFAULT_NETWORK && !(request.aliases ?? []).includes(shortId)) request.aliases = [...(request.aliases ?? []), shortId];
      record.networks.push({ networkId: n.id, request });
      if (record.sandbox) {
        try {
          await this.builder.connectLive(record, n, request);
        } catch (err) {
          record.networks.pop();
          throw err;
        }
        await this.updateEtcFiles(record);
        this.publish('connect', n, facts.id);
      }
      await this.store.saveContainer(record);
      await this.applyFirewall();
    });
  }

  disconnect(network: string, container: string, force = false): Promise<void> {
    return this.mutex.run(async () => {
      if (this.isDisabledDefault(network) && (await this.noteDisabledDefault(container, 'disconnect'))) return;
      const n = this.resolveNetwork(network);
      const facts = await this.options.directory.lookup(container).catch((err) => {
        if (force) return { id: container, name: container };
        throw err;
      });
      const record = this.record(facts.id);
      const index = record.networks.findIndex((x) => x.networkId === n.id);
      if (index < 0) {
        // dockerd's two wordings: the running container's endpoint lookup, or the stopped one's settings. dockerd
        // says 500 (plain errors); a client's mistake is 403 here, as connecting twice is.
        const why = record.sandbox ? `network ${n.name}` : `the network ${network}`;
        throw forbidden(`container ${facts.id} is not connected to ${why}`);
      }
      if (record.sandbox) {
        await this.builder.disconnectLive(record, n.id);
        await this.updateEtcFiles(record);
        this.publish('disconnect', n, facts.id);
      }
      record.networks.splice(index, 1);
      await this.store.saveContainer(record);
      await this.applyFirewall();
    });
  }

  private async updateEtcFiles(record: ContainerRecord): Promise<void> {
    const { hostsContent, resolvConfContent } = record.sandbox!.attachment;
    await this.options.directory.updateEtcFiles(record.id, { hosts: hostsContent, resolvConf: resolvConfContent });
  }

  async settings(containerId: string): Promise<ContainerNetworkSettings> {
    const record = this.record(containerId);
    const mode = record.config.networkMode;
    const endpoints: EndpointInfo[] = [];
    for (const { networkId, request } of record.networks) {
      const live = record.sandbox?.endpoints.find((e) => e.networkId === networkId);
      endpoints.push(this.endpointInfo(record, networkId, request, live));
    }
    const disabled = !!record.config.disabled;
    if (!disabled && (mode === 'host' || mode === 'none')) endpoints.push(this.endpointInfo(record, this.resolveNetwork(mode).id, {}, undefined));
    return {
      mode: this.modeName(mode),
      sandboxId: record.shownSandbox?.id ?? '',
      // A record from before sandbox IDs were kept: the live netns only.
      sandboxKey: record.shownSandbox?.key ?? (record.sandbox?.netns ? netnsPath(record.sandbox.netns) : ''),
      ports: record.sandbox?.attachment.ports ?? {},
      endpoints,
      ...(disabled ? { noSandbox: true } : {}),
    };
  }

  // ── no default bridge (-b none) ─────────────────────────────────────────

  /** dockerd's -b none: there is no "bridge" network, and a container meant for it runs with loopback only. */
  get defaultBridgeDisabled(): boolean {
    return this.options.defaultBridge === null;
  }

  /** "bridge" exactly (not an ID or other alias of it), as dockerd's NetworkMode.IsBridge. */
  private isDisabledDefault(network: string): boolean {
    return this.defaultBridgeDisabled && network === DEFAULT_NETWORK;
  }

  /**
   * The networks a container's sandbox joins. Without a default bridge, the
   * entry for it holds only its name (dockerd shows it with no NetworkID) and
   * is skipped at start: dockerd's connectToNetwork returns early for "bridge".
   */
  joinedNetworks(record: ContainerRecord): ContainerRecord['networks'] {
    return this.defaultBridgeDisabled ? record.networks.filter((e) => e.networkId !== DEFAULT_NETWORK) : record.networks;
  }

  /**
   * network connect/disconnect "bridge" under -b none, as dockerd 20.10: a
   * running container is left as it is (connect succeeds, disconnect finds no
   * network); a stopped one gains or loses the entry by name. True when handled.
   */
  private async noteDisabledDefault(container: string, action: 'connect' | 'disconnect'): Promise<boolean> {
    const record = this.record((await this.options.directory.lookup(container)).id);
    if (record.sandbox) return action === 'connect';
    const index = record.networks.findIndex((e) => e.networkId === DEFAULT_NETWORK);
    if (action === 'connect' && index < 0) record.networks.push({ networkId: DEFAULT_NETWORK, request: {} });
    if (action === 'disconnect') {
      if (index < 0) return false;
      record.networks.splice(index, 1);
    }
    await this.store.saveContainer(record);
    return true;
  }

  /**
   * A start with -b none after one with a default bridge: dockerd deletes the
   * stale default network at start. Its Linux bridge goes with it, and its
   * containers keep the network by name only (see joinedNetworks).
   */
  private async dropDefaultBridge(): Promise<void> {
    const stale = [...this.networks.values()].find((n) => n.name === DEFAULT_NETWORK);
    if (!stale) return;
    this.networks.delete(stale.id);
    this.allocators.delete(stale.id);
    this.allocators6.delete(stale.id);
    if (stale.device) await deleteBridge(stale.device).catch(() => undefined);
    await this.store.delete('networks', stale.id);
    for (const c of this.containers.values()) {
      const entry = c.networks.find((e) => e.networkId === stale.id);
      if (!entry) continue;
      entry.networkId = DEFAULT_NETWORK;
      await this.store.saveContainer(c);
    }
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
    for (const entry of this.joinedNetworks(record)) {
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

  async applyFirewall(): Promise<void> {
    await this.firewall?.apply(this.firewallNetworks(4), this.firewallPorts(4));
    await this.applyFirewall6();
  }

  private async applyFirewall6(): Promise<void> {
    if (!this.firewall6) return;
    const networks = this.firewallNetworks(6);
    if (!this.firewall6Installed) {
      if (networks.length === 0) return;
      await this.firewall6.install(networks, this.firewallPorts(6));
      this.firewall6Installed = true;
      return;
    }
    await this.firewall6.apply(networks, this.firewallPorts(6));
  }

  private view(n: NetworkRecord): NetworkView {
    const endpoints: EndpointInfo[] = [];
    for (const c of this.containers.values()) {
      const live = c.sandbox?.endpoints.find((e) => e.networkId === n.id);
      if (live) endpoints.push(this.endpointInfo(c, n.id, c.networks.find((x) => x.networkId === n.id)?.request ?? {}, live));
      else if (c.sandbox && !c.config.disabled && (n.driver === 'host' || n.driver === 'null') && c.config.networkMode === n.name) endpoints.push(this.endpointInfo(c, n.id, {}, undefined));
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
      ipv6Address: live?.plan.ip6 ?? '',
      ipv6PrefixLength: live?.plan.prefixLength6 ?? 0,
      ipv6Gateway: live?.gateway6 ?? '',
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
    const pool6 = ipv6Pool(n);
    if (n.ipv6 && pool6) this.allocators6.set(n.id, new Ipv6Allocator(pool6));
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
    this.networks.delete(n.id);
    this.allocators.delete(n.id);
    this.allocators6.delete(n.id);
    await this.applyFirewall();
    if (n.driver === 'bridge') await deleteBridge(n.device!);
    await this.store.delete('networks', n.id);
  }

  private gatewayCidr(n: NetworkRecord): string | null {
    const pool = n.ipam[0];
    return pool?.Gateway ? `${pool.Gateway}/${parseCidr(pool.Subnet).prefix}` : null;
  }

  /** The bridge's IPv6 address, on networks with IPv6 enabled. */
  private gatewayCidr6(n: NetworkRecord): string | null {
    const pool = n.ipv6 ? ipv6Pool(n) : undefined;
    return pool ? `${gateway6Of(pool)}/${parsePrefix(pool.Subnet).prefix}` : null;
  }

  /**
   * The IPv6 pool of a new network: the subnet given, or with --ipv6 and none
   * given one from the IPv6 default address pools. A network may hold an
   * IPv6 subnet without --ipv6 (dockerd keeps it; no container gets an address from it).
   */
  private async pool6For(request: NetworkCreateRequest): Promise<IpamPool[]> {
    const given = (request.IPAM?.Config ?? []).filter(isIpv6Pool);
    if (given.length > 1) throw forbidden("bridge driver doesn't support multiple subnets");
    const others = [...this.networks.values()].flatMap((n) => {
      const pool = ipv6Pool(n);
      return pool ? [parsePrefix(pool.Subnet)] : [];
    });
    if (given[0]) return [checkPool6(given[0], others)];
    if (!request.EnableIPv6) return [];
    const subnet = pickSubnet6(this.addressPools(6), [...others, ...(await hostPrefixes6())]);
    // A pool dockerd picked itself is shown with its gateway.
    return [checkPool6({ Subnet: formatPrefix(subnet), Gateway: formatAddress(6, subnet.base + 1n) }, [])];
  }

  /**
   * The default address pools of one family: as in dockerd, a configured list
   * replaces Docker's IPv4 defaults, and its IPv6 entries are the only IPv6 pools.
   */
  private addressPools(family: 4 | 6): AddressPool[] {
    const pools = this.options.addressPools ?? (family === 4 ? DEFAULT_ADDRESS_POOLS : []);
    return pools.filter((p) => p.base.includes(':') === (family === 6));
  }

  private async poolFor(request: NetworkCreateRequest, name: string) {
    const given = request.IPAM?.Config?.find((p) => !isIpv6Pool(p));
    if (given?.Subnet) {
      const pool = completePool(given, { network: name });
      const subnet = parseCidr(pool.Subnet);
      for (const other of this.networks.values()) {
        const o = other.ipam[0];
        if (o && overlapsCidr(subnet, parseCidr(o.Subnet))) throw forbidden('Pool overlaps with other one on this address space');
      }
      return pool;
    }
    // dockerd parses the missing subnet and says so (500).
    if (given && (given.Gateway || given.IPRange)) throw new EngineError('internal', 'Invalid subnet  : invalid CIDR address: ');
    const subnet = pickSubnet(this.addressPools(4), await this.takenSubnets());
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
    if (!this.defaultBridgeDisabled) {
      if (!byName(DEFAULT_NETWORK)) await this.createDefaultBridge();
      await this.configureDefaultBridge6(byName(DEFAULT_NETWORK)!);
    }
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
      const subnet = own ? parseCidr(own) : pickSubnet(this.addressPools(4), await this.takenSubnets());
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

  /**
   * --ipv6 and --fixed-cidr-v6 apply to the default bridge at every start, as
   * dockerd rebuilds it from its flags: the record follows the flags.
   */
  private async configureDefaultBridge6(n: NetworkRecord): Promise<void> {
    const v4 = n.ipam.filter((p) => !isIpv6Pool(p));
    const pool6 = this.options.fixedCidrV6 ? [checkPool6({ Subnet: this.options.fixedCidrV6 }, [])] : [];
    const ipv6 = !!this.options.ipv6;
    if (n.ipv6 === ipv6 && JSON.stringify(ipv6Pool(n) ?? null) === JSON.stringify(pool6[0] ?? null)) return;
    const old = this.gatewayCidr6(n);
    if (old && n.device) await removeBridgeAddress(n.device, old);
    n.ipv6 = ipv6;
    n.ipam = [...v4, ...pool6];
    if (ipv6 && pool6[0]) this.allocators6.set(n.id, new Ipv6Allocator(pool6[0]));
    else this.allocators6.delete(n.id);
    await this.store.saveNetwork(n);
  }

  /** Bridge networks with a subnet of the family (IPv6: those with IPv6 enabled). */
  private firewallNetworks(family: 4 | 6): FirewallNetwork[] {
    return [...this.networks.values()].flatMap((n) => {
      const pool = family === 4 ? n.ipam[0] : n.ipv6 ? ipv6Pool(n) : undefined;
      return n.driver === 'bridge' && pool ? [{ bridge: n.device!, subnet: pool.Subnet, internal: n.internal, masquerade: masquerades(n.options) }] : [];
    });
  }

  /** Published ports whose host and container addresses are both of the family (nothing is DNATed across families). */
  private firewallPorts(family: 4 | 6): FirewallPort[] {
    const out: FirewallPort[] = [];
    const ofFamily = (ip: string) => ip.includes(':') === (family === 6);
    for (const c of this.containers.values()) {
      const primary = c.sandbox?.endpoints[0];
      if (!primary || primary.plan.driver !== 'bridge') continue;
      for (const p of c.sandbox!.ports) if (ofFamily(p.hostIp) && ofFamily(p.containerIp)) out.push({ ...p, bridge: primary.plan.device });
    }
    return out;
  }
}

/** Takes an old IPv6 gateway address off the default bridge when --fixed-cidr-v6 changed between starts. */
async function removeBridgeAddress(device: string, cidr: string): Promise<void> {
  await runTool('ip', ['addr', 'del', cidr, 'dev', device]).catch(() => undefined);
}

function overlapsCidr(a: { base: number; prefix: number }, b: { base: number; prefix: number }): boolean {
  return a.base < b.base + 2 ** (32 - b.prefix) && b.base < a.base + 2 ** (32 - a.prefix);
}

/** The host's IPv6 routes and addresses: an IPv6 subnet picked from the pools must overlap none of them. */
async function hostPrefixes6(): Promise<IpPrefix[]> {
  const out = (await listRouteDestinations(undefined, 6)).map((d) => parsePrefix(d));
  for (const a of await listAddresses(undefined, 6)) for (const cidr of a.cidrs) out.push(parsePrefix(cidr));
  return out;
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

/** A none, host or disabled sandbox: no endpoint, netns, port or firewall rule (see attachAlone). */
function ownsNothingShared(record: ContainerRecord): boolean {
  const mode = record.config.networkMode;
  if (mode !== 'none' && mode !== 'host' && !record.config.disabled) return false;
  const sandbox = record.sandbox;
  return record.networks.length === 0 && (!sandbox || (sandbox.netns === null && sandbox.endpoints.length === 0 && sandbox.ports.length === 0));
}
