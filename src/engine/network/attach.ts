import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { conflict, invalid } from '../../lib/errors.js';
import type { DnsResolver } from './dns.js';
import { hostsContent, linkEnv, nameservers, parseExtraHosts, resolvConfContent, type HostsEntry } from './etc-content.js';
import { linkLocalCidr } from './endpoint-checks.js';
import { macFromIp, parseIp } from './ipv4.js';
import { portMap, portRequests } from './ports.js';
import { addInterface, buildSandbox, destroySandbox, randomIfname, removeInterface, type InterfacePlan } from './sandbox.js';
import type { LinuxNetworkService } from './service.js';
import type { ContainerRecord, LiveEndpoint, SandboxState } from './store.js';
import type { AttachedEndpoint, Attachment, EndpointRequest, NetworkRecord } from './types.js';

/**
 * Builds and tears down container sandboxes for the service: addresses,
 * interfaces, published ports, hosts/resolv.conf contents, link variables.
 * The service holds the lock; everything here runs under it.
 */
export class SandboxBuilder {
  constructor(private readonly svc: LinuxNetworkService) {}

  async build(record: ContainerRecord): Promise<SandboxState> {
    const mode = record.config.networkMode;
    if (mode === 'host') return this.hostSandbox(record);
    if (mode === 'none') return this.noneSandbox(record);
    if (mode.startsWith('container:')) return this.sharedSandbox(record, mode.slice('container:'.length));
    const endpoints: LiveEndpoint[] = [];
    try {
      record.networks.forEach(({ networkId, request }, index) => endpoints.push(this.plan(networkId, request, `eth${index}`, record)));
      const netns = `${this.svc.prefixes.netns}${record.id.slice(0, 12)}`;
      const path = await buildSandbox(netns, endpoints.map((e) => e.plan), this.defaultGateway(endpoints));
      const sandbox: SandboxState = { netns, endpoints, ports: [], attachment: { namespace: { path }, endpoints: [], hostsContent: '', resolvConfContent: '', ports: {}, linkEnv: [] } };
      try {
        await this.publish(record, sandbox);
        sandbox.attachment = await this.attachment(record, sandbox, path);
      } catch (err) {
        await this.svc.proxy.unpublish(sandbox.ports);
        await destroySandbox(netns, endpoints.map((e) => e.plan));
        throw err;
      }
      return sandbox;
    } catch (err) {
      for (const e of endpoints) this.svc.allocators.get(e.networkId)?.release(e.plan.ip);
      throw err;
    }
  }

  async teardown(record: ContainerRecord): Promise<void> {
    const sandbox = record.sandbox;
    if (!sandbox) return;
    await this.svc.proxy.unpublish(sandbox.ports);
    if (sandbox.netns) await destroySandbox(sandbox.netns, sandbox.endpoints.map((e) => e.plan));
    for (const e of sandbox.endpoints) this.svc.allocators.get(e.networkId)?.release(e.plan.ip);
    delete record.sandbox;
  }

  /** After a berthd restart: the netns and rules survived, the proxy listeners did not. */
  async republish(record: ContainerRecord): Promise<void> {
    const ports = record.sandbox!.ports;
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
    const needsRoute = this.defaultGateway(sandbox.endpoints) === null ? this.defaultGateway([endpoint]) : null;
    try {
      await addInterface(sandbox.netns, endpoint.plan, needsRoute);
    } catch (err) {
      this.svc.allocators.get(n.id)?.release(endpoint.plan.ip);
      throw err;
    }
    sandbox.endpoints.push(endpoint);
    sandbox.attachment.endpoints = sandbox.endpoints.map((e) => this.attachedEndpoint(e));
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
    this.svc.allocators.get(networkId)?.release(endpoint!.plan.ip);
    sandbox.attachment.endpoints = sandbox.endpoints.map((e) => this.attachedEndpoint(e));
  }

  /** Answers for one network's embedded DNS server, from the live endpoints. */
  resolverFor(networkId: string): DnsResolver {
    return {
      lookup: (name) => {
        const live = [...this.svc.containers.values()].flatMap((c) => {
          const e = c.sandbox?.endpoints.find((x) => x.networkId === networkId);
          return e ? [{ c, e }] : [];
        });
        const byName = live.filter(({ c, e }) => c.config.name === name || e.aliases.includes(name));
        if (byName.length) return byName.map(({ e }) => e.plan.ip);
        const byId = /^[0-9a-f]{4,64}$/.test(name) ? live.filter(({ c }) => c.id.startsWith(name)) : [];
        return byId.length === 1 ? [byId[0]!.e.plan.ip] : [];
      },
      upstreams: (clientIp) => {
        const client = [...this.svc.containers.values()].find((c) => c.sandbox?.endpoints.some((e) => e.plan.ip === clientIp));
        if (client?.config.dns.length) return client.config.dns;
        return this.svc.options.upstreamResolvers ?? this.hostUpstreams;
      },
    };
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
    const macvlan = n.driver === 'macvlan';
    const plan: InterfacePlan = {
      driver: macvlan ? 'macvlan' : 'bridge',
      ifname,
      hostIfname: randomIfname(macvlan ? 'mv' : this.svc.prefixes.veth),
      device: n.device!,
      macvlanMode: n.options.macvlan_mode ?? 'bridge',
      ip,
      prefixLength: allocator.prefixLength,
      mac: request.macAddress || macFromIp(parseIp(ip)),
      linkLocal: request.linkLocalIps?.map(linkLocalCidr),
    };
    // As dockerd: the short ID joins the aliases on user-defined networks, unless the request has it already.
    const shortId = record.id.slice(0, 12);
    const given = request.aliases ?? [];
    const aliases = n.name === 'bridge' ? [] : given.includes(shortId) ? [...given] : [...given, shortId];
    return { networkId, endpointId: randomBytes(32).toString('hex'), plan, gateway: n.internal ? '' : (n.ipam[0]?.Gateway ?? ''), aliases };
  }

  private defaultGateway(endpoints: LiveEndpoint[]): string | null {
    return endpoints.find((e) => e.gateway)?.gateway ?? null;
  }

  private async publish(record: ContainerRecord, sandbox: SandboxState): Promise<void> {
    const c = record.config;
    const requests = portRequests(c.portBindings ?? {}, c.publishAllPorts, c.exposedPorts ?? []);
    const primary = sandbox.endpoints[0];
    if (requests.length === 0 || !primary) return;
    if (primary.plan.driver !== 'bridge') throw invalid('published ports need a bridge network');
    sandbox.ports = await this.svc.proxy.publish(requests, primary.plan.ip);
  }

  private async attachment(record: ContainerRecord, sandbox: SandboxState, path: string): Promise<Attachment> {
    const c = record.config;
    const primary = sandbox.endpoints[0]!;
    const primaryNet = this.svc.networks.get(primary.networkId)!;
    const links = await this.links(record, primary);
    const extra = [...parseExtraHosts(c.extraHosts, this.hostGateway()), ...links.hosts];
    const fqdn = c.domainname ? `${c.hostname}.${c.domainname}` : '';
    const own: HostsEntry = { ip: primary.plan.ip, names: fqdn ? [fqdn, c.hostname] : [c.hostname] };
    await this.refreshHostUpstreams();
    return {
      namespace: { path },
      endpoints: sandbox.endpoints.map((e) => this.attachedEndpoint(e)),
      hostsContent: hostsContent(extra, own),
      resolvConfContent: resolvConfContent({ host: await this.svc.hostResolvConf(), embedded: this.svc.embeddedDnsAddress(primaryNet), dns: c.dns, dnsSearch: c.dnsSearch, dnsOptions: c.dnsOptions }),
      ports: portMap(sandbox.ports, c.exposedPorts ?? []) as Attachment['ports'],
      linkEnv: links.env,
    };
  }

  /** --link on the default bridge: the target must run on the same network. */
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
