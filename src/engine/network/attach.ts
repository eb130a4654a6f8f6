import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { conflict, invalid } from '../../lib/errors.js';
import { phase } from '../../lib/phases.js';
import { netnsPath } from '../../platform/linux/netns.js';
import { RESOLVER_IP, SandboxDns } from './dns-sandbox.js';
import { hostsContent, linkEnv, nameservers, parseExtraHosts, resolvConfContent, withHostsEntry, withoutHostsEntry, type HostsEntry } from './etc-content.js';
import { linkLocalCidr } from './endpoint-checks.js';
import { macFromIp, parseIp } from './ipv4.js';
import { gateway6Of, ipv6Pool } from './ipam6.js';
import { hasNames, resolverFor, type NameSource } from './names.js';
import { portMap, portRequests } from './ports.js';
import { driverMtu } from './mtu.js';
import { addInterface, destroySandbox, makeSandbox, plumbSandbox, randomIfname, removeInterface, type DefaultGateways, type InterfacePlan } from './sandbox.js';
import type { LinuxNetworkService } from './service.js';
import type { ContainerRecord, LiveEndpoint, SandboxState } from './store.js';
import type { AttachedEndpoint, Attachment, EndpointRequest, NetworkRecord } from './types.js';

/**
 * Builds and tears down container sandboxes for the service: addresses,
 * interfaces, published ports, hosts/resolv.conf contents, link variables.
 * The service holds the lock; everything here runs under it.
 */
export class SandboxBuilder {
  /** 127.0.0.11 in the sandboxes on a user network. */
  readonly dns = new SandboxDns();
  private readonly names: NameSource;

  constructor(private readonly svc: LinuxNetworkService) {
    this.names = { containers: svc.containers, networks: svc.networks, defaultUpstreams: () => svc.options.upstreamResolvers ?? this.hostUpstreams };
  }

  /**
   * A container's sandbox for a start, in two steps: the returned state once
   * its netns exists, its addresses are taken, its ports published and its
   * hosts/resolv.conf contents known (a runtime can create the container in
   * it), and `plumbed` once the interfaces inside are up and the resolver
   * answers, which must come before the container's process runs. If
   * `plumbed` fails, the caller tears the sandbox down (teardown).
   *
   * The first start gets a random sandbox ID, as libnetwork's sandboxes,
   * which inspect shows with its key (the netns path) from then on, also when
   * stopped; later starts keep it, as dockerd 20.10 does. A shared netns
   * (container:<x>) is not the container's own and shows none.
   */
  async build(record: ContainerRecord): Promise<{ sandbox: SandboxState; plumbed: Promise<void> }> {
    const built = await this.buildFor(record);
    const { sandbox } = built;
    if (!sandbox.attachment.sharedWith && !sandbox.attachment.noSandbox) {
      record.shownSandbox = { id: record.shownSandbox?.id ?? randomBytes(32).toString('hex'), key: sandbox.netns ? netnsPath(sandbox.netns) : '' };
    }
    return built;
  }

  private async buildFor(record: ContainerRecord): Promise<{ sandbox: SandboxState; plumbed: Promise<void> }> {
    const mode = record.config.networkMode;
    const done = Promise.resolve();
    if (record.config.disabled) return { sandbox: noSandbox(), plumbed: done };
    if (mode === 'host') return { sandbox: await this.hostSandbox(record), plumbed: done };
    if (mode === 'none') return { sandbox: await this.noneSandbox(record), plumbed: done };
    if (mode.startsWith('container:')) return { sandbox: await this.sharedSandbox(record, mode.slice('container:'.length)), plumbed: done };
    const endpoints: LiveEndpoint[] = [];
    try {
      this.svc.joinedNetworks(record).forEach(({ networkId, request }, index) => endpoints.push(this.plan(networkId, request, `eth${index}`, record)));
      const netns = `${this.svc.prefixes.netns}${record.id.slice(0, 12)}`;
      const plans = endpoints.map((e) => e.plan);
      const path = await makeSandbox(netns, plans);
      phase(record.id, 'net:netns-made');
      const sandbox: SandboxState = { netns, endpoints, ports: [], attachment: { namespace: { path }, endpoints: [], hostsContent: '', resolvConfContent: '', ports: {}, linkEnv: [] } };
      const dns = this.servesDns(endpoints);
      try {
        await this.publish(record, sandbox);
        sandbox.attachment = await this.attachment(record, sandbox, path, dns);
        if (this.svc.joinedNetworks(record).length < record.networks.length) sandbox.attachment.networkDisabled = true;
      } catch (err) {
        await this.svc.proxy.unpublish(sandbox.ports);
        await destroySandbox(netns, plans);
        throw err;
      }
      const plumbed = this.plumb(record, netns, endpoints, dns);
      plumbed.catch(() => undefined); // the caller awaits it; never an unhandled rejection meanwhile
      return { sandbox, plumbed };
    } catch (err) {
      for (const e of endpoints) this.release(e);
      throw err;
    }
  }

  /** build's second step: inside the netns the interfaces, routes and (on a user network) the resolver. */
  private async plumb(record: ContainerRecord, netns: string, endpoints: LiveEndpoint[], dns: boolean): Promise<void> {
    await plumbSandbox(netns, endpoints.map((e) => e.plan), this.defaultGateways(endpoints));
    phase(record.id, 'net:sandbox-built');
    if (dns) await this.dns.start(record.id, netnsPath(netns), resolverFor(this.names, record.id), true);
    phase(record.id, 'net:dns-started');
  }

  /** Gives an endpoint's addresses back to their pools. */
  private release(e: LiveEndpoint): void {
    this.svc.allocators.get(e.networkId)?.release(e.plan.ip);
    if (e.plan.ip6) this.svc.allocators6.get(e.networkId)?.release(e.plan.ip6);
  }

  async teardown(record: ContainerRecord): Promise<void> {
    const sandbox = record.sandbox;
    if (!sandbox) return;
    await this.dns.stop(record.id);
    await this.svc.proxy.unpublish(sandbox.ports);
    phase(record.id, 'net:dns-ports-stopped');
    if (sandbox.netns) await destroySandbox(sandbox.netns, sandbox.endpoints.map((e) => e.plan));
    phase(record.id, 'net:sandbox-destroyed');
    for (const e of sandbox.endpoints) this.release(e);
    delete record.sandbox;
  }

  /** After a berthd restart: the netns and rules survived, the proxy listeners and DNS sockets did not. */
  async republish(record: ContainerRecord): Promise<void> {
    const sandbox = record.sandbox!;
    if (sandbox.netns && this.servesDns(sandbox.endpoints)) {
      await this.dns.start(record.id, netnsPath(sandbox.netns), resolverFor(this.names, record.id), false)
        .catch(() => undefined); // the netns is gone: the container is on its way out, its detach cleans up
    }
    const ports = sandbox.ports;
    for (const p of ports) {
      await this.svc.proxy.publish([{ protocol: p.protocol, containerPort: p.containerPort, hostIp: p.hostIp, hostPorts: [p.hostPort, p.hostPort] }], p.containerIp)
        .catch(() => undefined); // someone took the port meanwhile: DNAT still serves non-loopback traffic
    }
  }

  async connectLive(record: ContainerRecord, n: NetworkRecord, request: EndpointRequest): Promise<void> {
    const sandbox = record.sandbox!;
    if (!sandbox.netns) throw invalid('container does not have its own network namespace');
    const used = new Set(sandbox.endpoints.map((e) => e.plan.ifname));
    let index = 0;
    while (used.has(`eth${index}`)) index++;
    const endpoint = this.plan(n.id, request, `eth${index}`, record);
    // Per family: a default route only when the sandbox has none of that family yet.
    const had = this.defaultGateways(sandbox.endpoints);
    const adds = this.defaultGateways([endpoint]);
    try {
      await addInterface(sandbox.netns, endpoint.plan, { v4: had.v4 ? null : adds.v4, v6: had.v6 ? null : adds.v6 });
    } catch (err) {
      this.release(endpoint);
      throw err;
    }
    sandbox.endpoints.push(endpoint);
    sandbox.attachment.endpoints = sandbox.endpoints.map((e) => this.attachedEndpoint(e));
    // Joining a user network gives a container that had no resolver one, and resolv.conf points at it, as in dockerd.
    if (!this.dns.has(record.id) && this.servesDns(sandbox.endpoints)) {
      await this.dns.start(record.id, netnsPath(sandbox.netns), resolverFor(this.names, record.id), true);
      sandbox.attachment.resolvConfContent = await this.resolvConf(record, true);
    }
    for (const entry of this.ownHostsEntries(record, endpoint)) sandbox.attachment.hostsContent = withHostsEntry(sandbox.attachment.hostsContent, entry);
  }

  async disconnectLive(record: ContainerRecord, networkId: string): Promise<void> {
    const sandbox = record.sandbox!;
    const index = sandbox.endpoints.findIndex((e) => e.networkId === networkId);
    if (index < 0 || !sandbox.netns) return;
    const [endpoint] = sandbox.endpoints.splice(index, 1);
    if (index === 0) {
      await this.svc.proxy.unpublish(sandbox.ports);
      sandbox.ports = [];
    }
    await removeInterface(sandbox.netns, endpoint!.plan);
    this.release(endpoint!);
    sandbox.attachment.endpoints = sandbox.endpoints.map((e) => this.attachedEndpoint(e));
    for (const ip of [endpoint!.plan.ip, endpoint!.plan.ip6]) if (ip) sandbox.attachment.hostsContent = withoutHostsEntry(sandbox.attachment.hostsContent, ip);
  }

  /** dockerd gives a sandbox its resolver once any of its networks is a user-defined one (at start or on connect). */
  private servesDns(endpoints: LiveEndpoint[]): boolean {
    return endpoints.some((e) => {
      const n = this.svc.networks.get(e.networkId);
      return hasNames(n) && (n.driver === 'bridge' || n.driver === 'macvlan');
    });
  }

  private hostUpstreams: string[] = [];

  async refreshHostUpstreams(): Promise<void> {
    this.hostUpstreams = nameservers(await this.svc.hostResolvConf());
  }

  private plan(networkId: string, request: EndpointRequest, ifname: string, record: ContainerRecord): LiveEndpoint {
    const n = this.svc.networks.get(networkId);
    const allocator = this.svc.allocators.get(networkId);
    if (!n || !allocator) throw invalid(`network ${networkId} not found`);
    const ip = request.ipv4Address ? allocator.claim(request.ipv4Address) : allocator.allocate();
    const mac = request.macAddress || macFromIp(parseIp(ip));
    let ip6: string | undefined;
    try {
      ip6 = this.allocate6(n, request, mac);
    } catch (err) {
      allocator.release(ip);
      throw err;
    }
    const allocator6 = this.svc.allocators6.get(networkId);
    const macvlan = n.driver === 'macvlan';
    const plan: InterfacePlan = {
      driver: macvlan ? 'macvlan' : 'bridge',
      ifname,
      hostIfname: randomIfname(macvlan ? 'mv' : this.svc.prefixes.veth),
      device: n.device!,
      macvlanMode: n.options.macvlan_mode ?? 'bridge',
      ip,
      prefixLength: allocator.prefixLength,
      ...(ip6 ? { ip6, prefixLength6: allocator6!.prefixLength } : {}),
      mac,
      linkLocal: request.linkLocalIps?.map(linkLocalCidr),
      ...(macvlan ? {} : { mtu: driverMtu(n.options) }),
    };
    // As dockerd: the short ID joins the aliases on user-defined networks, unless the request has it already.
    const shortId = record.id.slice(0, 12);
    const given = request.aliases ?? [];
    const aliases = n.name === 'bridge' ? [] : given.includes(shortId) ? [...given] : [...given, shortId];
    const gateway6 = ip6 && !n.internal ? gateway6Of(allocator6!.pool) : '';
    return { networkId, endpointId: randomBytes(32).toString('hex'), plan, gateway: n.internal ? '' : (n.ipam[0]?.Gateway ?? ''), gateway6, aliases };
  }

  /**
   * The endpoint's IPv6 address on a network with IPv6 enabled: --ip6, or the
   * next free one; on the default bridge dockerd derives it from the MAC.
   * As dockerd, at start: a --ip6 needs an IPv6 subnet on the network, and is
   * kept but not given while the network has IPv6 off.
   */
  private allocate6(n: NetworkRecord, request: EndpointRequest, mac: string): string | undefined {
    if (request.ipv6Address && !ipv6Pool(n)) throw invalid('user specified IP address is supported only when connecting to networks with user configured subnets');
    const allocator6 = this.svc.allocators6.get(n.id);
    if (!allocator6) return undefined;
    if (request.ipv6Address) return allocator6.claim(request.ipv6Address);
    return allocator6.allocate(n.name === 'bridge' ? mac : undefined);
  }

  /** The first gateway of each family among the endpoints, in network order (dockerd routes through the first one). */
  private defaultGateways(endpoints: LiveEndpoint[]): DefaultGateways {
    return { v4: endpoints.find((e) => e.gateway)?.gateway ?? null, v6: endpoints.find((e) => e.gateway6)?.gateway6 ?? null };
  }

  private async publish(record: ContainerRecord, sandbox: SandboxState): Promise<void> {
    const c = record.config;
    const requests = portRequests(c.portBindings ?? {}, c.publishAllPorts, c.exposedPorts ?? []);
    const primary = sandbox.endpoints[0];
    if (requests.length === 0 || !primary) return;
    if (primary.plan.driver !== 'bridge') throw invalid('published ports need a bridge network');
    sandbox.ports = await this.svc.proxy.publish(requests, primary.plan.ip, primary.plan.ip6);
  }

  /** `dns`: the sandbox gets the embedded resolver (its resolv.conf points at it). */
  private async attachment(record: ContainerRecord, sandbox: SandboxState, path: string, dns: boolean): Promise<Attachment> {
    const c = record.config;
    // No endpoint at all: a container for the default bridge under -b none (loopback only, no links, as dockerd).
    const primary = sandbox.endpoints[0];
    const links = !primary || hasNames(this.svc.networks.get(primary.networkId)) ? { hosts: [], env: [] } : await this.links(record, primary);
    const extra = [...parseExtraHosts(c.extraHosts, this.hostGateway()), ...links.hosts];
    // An entry for the address on each network, in network order, as each endpoint's join adds one in dockerd.
    const own = sandbox.endpoints.flatMap((e) => this.ownHostsEntries(record, e));
    return {
      namespace: { path },
      endpoints: sandbox.endpoints.map((e) => this.attachedEndpoint(e)),
      hostsContent: hostsContent(extra, own),
      resolvConfContent: await this.resolvConf(record, dns),
      ports: portMap(sandbox.ports, c.exposedPorts ?? []) as Attachment['ports'],
      linkEnv: links.env,
    };
  }

  /** The container's own names at an endpoint's addresses, IPv4 first. */
  private ownHostsEntries(record: ContainerRecord, e: LiveEndpoint): HostsEntry[] {
    const c = record.config;
    const names = c.domainname ? [`${c.hostname}.${c.domainname}`, c.hostname] : [c.hostname];
    return [e.plan.ip, e.plan.ip6].filter((ip): ip is string => !!ip).map((ip) => ({ ip, names }));
  }

  private async resolvConf(record: ContainerRecord, embedded: boolean): Promise<string> {
    const c = record.config;
    await this.refreshHostUpstreams();
    return resolvConfContent({ host: await this.svc.hostResolvConf(), embedded: embedded ? RESOLVER_IP : null, dns: c.dns, dnsSearch: c.dnsSearch, dnsOptions: c.dnsOptions });
  }

  /** --link on the default bridge: the target must run on the same network. On user networks links are DNS aliases (names.ts). */
  private async links(record: ContainerRecord, primary: LiveEndpoint): Promise<{ hosts: HostsEntry[]; env: string[] }> {
    const hosts: HostsEntry[] = [];
    const env: string[] = [];
    for (const spec of record.config.links ?? []) {
      const [rawName, rawAlias] = spec.split(':');
      const name = rawName!.replace(/^\//, '');
      const alias = (rawAlias ?? name).replace(/^.*\//, '');
      const facts = await this.svc.options.directory.lookup(name);
      const target = this.svc.containers.get(facts.id)?.sandbox?.endpoints.find((e) => e.networkId === primary.networkId);
      if (!facts.running || !target) throw invalid(`cannot link to ${name}: it is not running on the same network`);
      hosts.push({ ip: target.plan.ip, names: [...new Set([alias, facts.id.slice(0, 12), facts.name])] });
      env.push(...linkEnv({ name: facts.name, alias, self: record.config.name, ip: target.plan.ip, exposedPorts: facts.exposedPorts, env: facts.env }));
    }
    return { hosts, env };
  }

  /** host-gateway in --add-host: the default bridge's address, as Docker uses. */
  private hostGateway(): string {
    return [...this.svc.networks.values()].find((n) => n.name === 'bridge')?.ipam[0]?.Gateway ?? '';
  }

  private attachedEndpoint(e: LiveEndpoint): AttachedEndpoint {
    const n = this.svc.networks.get(e.networkId);
    return {
      networkId: e.networkId, networkName: n?.name ?? '', endpointId: e.endpointId, interfaceName: e.plan.ifname,
      ipAddress: e.plan.ip, prefixLength: e.plan.prefixLength, gateway: e.gateway, macAddress: e.plan.mac, aliases: e.aliases,
      ipv6Address: e.plan.ip6 ?? '', ipv6PrefixLength: e.plan.prefixLength6 ?? 0, ipv6Gateway: e.gateway6 ?? '',
    };
  }

  private async hostSandbox(record: ContainerRecord): Promise<SandboxState> {
    const c = record.config;
    const hostHosts = await readFile('/etc/hosts', 'utf8').catch(() => hostsContent([], null));
    const extra = parseExtraHosts(c.extraHosts, this.hostGateway()).map((e) => `${e.ip}\t${e.names.join(' ')}`);
    const resolv = resolvConfContent({ host: await this.svc.hostResolvConf(), embedded: null, dns: c.dns, dnsSearch: c.dnsSearch, dnsOptions: c.dnsOptions, hostNetwork: true });
    return {
      netns: null, endpoints: [], ports: [],
      attachment: { namespace: 'host', endpoints: [], hostsContent: [hostHosts.trimEnd(), ...extra].join('\n') + '\n', resolvConfContent: resolv, ports: {}, linkEnv: [] },
    };
  }

  private async noneSandbox(record: ContainerRecord): Promise<SandboxState> {
    const c = record.config;
    return {
      netns: null, endpoints: [], ports: [],
      attachment: {
        namespace: 'new', endpoints: [], ports: {}, linkEnv: [],
        // As dockerd: no address, so no line of its own.
        hostsContent: hostsContent(parseExtraHosts(c.extraHosts, this.hostGateway()), null),
        resolvConfContent: resolvConfContent({ host: await this.svc.hostResolvConf(), embedded: null, dns: c.dns, dnsSearch: c.dnsSearch, dnsOptions: c.dnsOptions }),
      },
    };
  }

  /** container:<x>: x's netns (its berth netns, the host's, or /proc/<pid>/ns/net), hosts and resolv.conf. */
  private async sharedSandbox(record: ContainerRecord, target: string): Promise<SandboxState> {
    const facts = await this.svc.options.directory.lookup(target);
    if (facts.id === record.id) throw invalid('cannot join own network');
    if (!facts.running) throw conflict(`cannot join network of a non running container: ${target}`);
    const other = this.svc.containers.get(facts.id)?.sandbox;
    const namespace: Attachment['namespace'] = other?.netns
      ? { path: `/run/netns/${other.netns}` }
      : other?.attachment.namespace === 'host' ? 'host' : { path: `/proc/${facts.pid}/ns/net` };
    const base = other?.attachment;
    return {
      netns: null, endpoints: [], ports: [],
      attachment: {
        namespace, endpoints: [], ports: {}, linkEnv: [], sharedWith: facts.id,
        hostsContent: base?.hostsContent ?? hostsContent([], null),
        resolvConfContent: base?.resolvConfContent ?? (await this.svc.hostResolvConf()),
      },
    };
  }
}

/** Config.NetworkDisabled: nothing of the network area's; the runtime gives a new netns with lo only. */
function noSandbox(): SandboxState {
  return {
    netns: null, endpoints: [], ports: [],
    attachment: { namespace: 'new', endpoints: [], ports: {}, linkEnv: [], hostsContent: '', resolvConfContent: '', noSandbox: true },
  };
}
