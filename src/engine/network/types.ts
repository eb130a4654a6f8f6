/**
 * The network area: networks (bridge, macvlan, plus the fixed `host` and
 * `none`), IP address management, each container's network sandbox (a netns
 * under /run/netns with one interface per network), published ports (iptables
 * DNAT in berth's own chains + a userland proxy inside berthd) and an embedded
 * DNS server per container on a user-defined network (127.0.0.11 in its netns).
 *
 * The containers service drives a container's network through five calls:
 *
 *   create  → register(id, config)   validates and records what the container asks for
 *   start   → attach(id)             builds the sandbox; returns the netns for the
 *                                    RuntimeSpec and the contents of hosts/resolv.conf
 *   exit    → detach(id)             tears the sandbox down (ports, veths, netns)
 *   remove  → unregister(id)         forgets the container
 *   berthd start → restore(runningIds) rebuilds rules, proxies and DNS for running
 *                                    containers and cleans up after the others
 *
 * `connect`/`disconnect` change a container's networks: on a running container
 * they act at once, on a stopped one they change what the next attach does.
 *
 * Errors are EngineErrors with Docker's messages: `notFound` ("network x not
 * found"), `conflict` (removing a network with active endpoints, a host port in
 * use, a duplicate name), `invalid` (bad subnet, address outside the subnet,
 * connecting a container in host mode), `forbidden` (removing a predefined network).
 */
import type { Filters } from '../images/types.js';

/** The fixed networks every daemon has, and the default one. */
export const PREDEFINED_NETWORKS = ['bridge', 'host', 'none'] as const;

export type NetworkDriver = 'bridge' | 'macvlan' | 'host' | 'null';

/** One IPAM pool of a network, Docker's IPAM.Config entry. */
export interface IpamPool {
  /** "172.18.0.0/16" */
  Subnet: string;
  /** "172.18.0.1"; omitted for macvlan networks created without one (then none is routed). */
  Gateway?: string;
  /** Addresses are handed out from this sub-range only (--ip-range). */
  IPRange?: string;
  /** --aux-address: name → address kept out of the pool. */
  AuxiliaryAddresses?: Record<string, string>;
}

/** POST /networks/create's body (Docker's NetworkCreateRequest). */
export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  /**
   * false: a second network of an existing name is made, with a warning (dockerd 20.10);
   * the API route fills in the default (false before API 1.44, true from then on).
   */
  CheckDuplicate?: boolean;
  IPAM?: { Driver?: string; Config?: IpamPool[]; Options?: Record<string, string> };
  /** bridge: com.docker.network.bridge.name, …; macvlan: parent, macvlan_mode. */
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** The persistent record of one network. */
export interface NetworkRecord {
  /** 64 hex. */
  id: string;
  name: string;
  driver: NetworkDriver;
  created: string;
  scope: 'local';
  internal: boolean;
  attachable: boolean;
  ipv6: boolean;
  ipam: IpamPool[];
  options: Record<string, string>;
  labels: Record<string, string>;
  /** bridge driver: the Linux bridge (berth0 for `bridge`, br-<12 hex> otherwise); macvlan: the parent. */
  device?: string;
  /** berth chose the subnet (no --subnet given): a container cannot ask for an address on it (--ip), as with dockerd. */
  autoSubnet?: boolean;
  /** An IPv4 subnet was given without a gateway: berth picked one, which inspect leaves out (dockerd shows a given pool as given). */
  gatewayPicked?: boolean;
  /** IPAM.Options as the client sent them; inspect shows them so (null when none were sent, as dockerd). */
  ipamOptions?: Record<string, string> | null;
}

/** One container's endpoint on a network, as inspect shows it. */
export interface EndpointInfo {
  containerId: string;
  containerName: string;
  networkId: string;
  endpointId: string;
  /** "" while the container is not running (and for host/none). */
  ipAddress: string;
  prefixLength: number;
  gateway: string;
  /** "" without an IPv6 address (the network has no IPv6 pool or EnableIPv6 is off). */
  ipv6Address: string;
  ipv6PrefixLength: number;
  ipv6Gateway: string;
  macAddress: string;
  aliases: string[];
  /** What the user asked for (--ip, --ip6, --link-local-ip), Docker's EndpointIPAMConfig; kept across restarts. */
  ipamConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
  /** --driver-opt, Docker's DriverOpts. */
  driverOpts?: Record<string, string>;
  /** Names of linked containers, "name:alias" (default bridge only). */
  links: string[];
  /** Host side of the veth, e.g. veth1a2b3c4 (bridge driver). */
  hostInterface?: string;
}

/** A network with its live endpoints, what `network inspect` and `ls` show. */
export interface NetworkView extends NetworkRecord {
  endpoints: EndpointInfo[];
}

/** Per-network settings a container asks for (Docker's EndpointSettings subset). */
export interface EndpointRequest {
  aliases?: string[];
  /** --ip */
  ipv4Address?: string;
  /** --ip6 */
  ipv6Address?: string;
  /** --link-local-ip: extra addresses on the interface (IPv4 /16, IPv6 /64), as dockerd adds them. */
  linkLocalIps?: string[];
  /** --driver-opt: kept and shown (bridge and macvlan use none of them, as with dockerd). */
  driverOpts?: Record<string, string>;
  /** --link on `network connect`, "name:alias". */
  links?: string[];
  macAddress?: string;
}

/** Docker's EndpointSettings as requests carry them (create's EndpointsConfig, connect's EndpointConfig). */
export interface DockerEndpointSettings {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null } | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
}

/** The request the network area takes from Docker's EndpointSettings (empty fields dropped). */
export function endpointRequestOf(e: DockerEndpointSettings | null | undefined): EndpointRequest {
  return {
    aliases: e?.Aliases?.length ? e.Aliases : undefined,
    ipv4Address: e?.IPAMConfig?.IPv4Address || undefined,
    ipv6Address: e?.IPAMConfig?.IPv6Address || undefined,
    linkLocalIps: e?.IPAMConfig?.LinkLocalIPs?.length ? e.IPAMConfig.LinkLocalIPs : undefined,
    links: e?.Links?.length ? e.Links : undefined,
    macAddress: e?.MacAddress || undefined,
    driverOpts: e?.DriverOpts && Object.keys(e.DriverOpts).length ? e.DriverOpts : undefined,
  };
}

/** "80/tcp" → bindings, Docker's PortMap; HostPort "" asks for an ephemeral port. */
export type PortMap = Record<string, Array<{ HostIp: string; HostPort: string }>>;

/** What a container asks of the network at create, from its Config and HostConfig. */
export interface ContainerNetworkConfig {
  name: string;
  /** The name was generated, not asked for: as in dockerd, the embedded DNS does not know it (until a rename). */
  anonymous?: boolean;
  hostname: string;
  domainname: string;
  /**
   * HostConfig.NetworkMode: "bridge" / "default" / "" (the default bridge), "host", "none",
   * "container:<id|name>", or a user network's name or ID.
   */
  networkMode: string;
  /** NetworkingConfig.EndpointsConfig (network name or id → settings); the mode's network may be in it. */
  endpoints: Record<string, EndpointRequest>;
  /** HostConfig.PortBindings. */
  portBindings: PortMap;
  /** -P: every exposed port gets an ephemeral host port. */
  publishAllPorts: boolean;
  /** Config.ExposedPorts keys ("80/tcp"), image and --expose merged. */
  exposedPorts: string[];
  /** --mac-address (endpoint of the mode's network). */
  macAddress?: string;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** --add-host "name:ip"; ip "host-gateway" means the gateway of the container's first network. */
  extraHosts: string[];
  /** HostConfig.Links "name:alias" (default bridge only). */
  links: string[];
  /** Config.NetworkDisabled as the client sent it: no endpoint and no sandbox, whatever the mode (dockerd's allocateNetwork returns early). */
  disabled?: boolean;
}

/** The addresses a container has on one network. */
export interface AttachedEndpoint {
  networkId: string;
  networkName: string;
  endpointId: string;
  /** Interface name inside the netns: eth0, eth1, … */
  interfaceName: string;
  ipAddress: string;
  prefixLength: number;
  /** "" on networks without a gateway (internal networks keep it but route nothing through it). */
  gateway: string;
  /** "" when the endpoint has no IPv6 address. */
  ipv6Address: string;
  ipv6PrefixLength: number;
  ipv6Gateway: string;
  macAddress: string;
  aliases: string[];
}

/** What the containers service needs to start a container: all data, nothing to do. */
export interface Attachment {
  /** Put into RuntimeSpec.namespaces.network as is. */
  namespace: 'host' | 'new' | { path: string };
  endpoints: AttachedEndpoint[];
  /** Contents for <container>/hosts and <container>/resolv.conf (bind-mounted by the caller). */
  hostsContent: string;
  resolvConfContent: string;
  /** Bindings with the host ports actually chosen, Docker's NetworkSettings.Ports shape. */
  ports: PortMap;
  /** Environment variables of --link (ALIAS_PORT_80_TCP=…, ALIAS_NAME=…, ALIAS_ENV_…), to add to the process env. */
  linkEnv: string[];
  /** Set for container:<x> mode: the container whose netns this one shares. */
  sharedWith?: string;
  /** The container was meant for the default bridge, which -b none leaves out: dockerd then sets its Config.NetworkDisabled. */
  networkDisabled?: boolean;
  /** No sandbox (ContainerNetworkConfig.disabled): as dockerd, no hosts or resolv.conf of the network's; the container keeps the empty ones of create. */
  noSandbox?: boolean;
}

/** Docker's NetworkSettings for container inspect (the networks part). */
export interface ContainerNetworkSettings {
  /** The network mode's resolved name ("bridge", "host", "none", "container:<id>", a user network). */
  mode: string;
  /** The last sandbox's, kept after the container stops as dockerd keeps them; "" before the first start and for container:<x>. */
  sandboxId: string;
  sandboxKey: string;
  ports: PortMap;
  endpoints: EndpointInfo[];
  /** ContainerNetworkConfig.disabled: dockerd shows no HostsPath or ResolvConfPath then. */
  noSandbox?: boolean;
}

/** What the network area needs to know about containers (the daemon adapts the containers service to it). */
export interface ContainerDirectory {
  /** Resolves a name, full ID or unique ID prefix; `notFound` otherwise. */
  lookup(idOrName: string): Promise<ContainerFacts>;
  /** A running container joined or left a network: its /etc/hosts and /etc/resolv.conf get these contents in place. */
  updateEtcFiles(id: string, contents: { hosts: string; resolvConf: string }): Promise<void>;
}

export interface ContainerFacts {
  id: string;
  /** Without the leading slash. */
  name: string;
  running: boolean;
  /** Host pid of the init process while running, else 0. */
  pid: number;
  /** Config.Env, for the ALIAS_ENV_ variables of --link. */
  env: string[];
  /** Config.ExposedPorts keys, for --link's ALIAS_PORT_ variables. */
  exposedPorts: string[];
}

export interface StagedAttachment {
  early: Promise<Attachment>;
  ready: Promise<Attachment>;
}

export interface NetworkService {
  /** The predefined networks exist and are set up; called once at daemon start, before restore. */
  init(): Promise<void>;
  create(request: NetworkCreateRequest): Promise<{ id: string; warning: string }>;
  /** Filters: driver, id, label, name, scope, type (custom|builtin), dangling. */
  list(filters?: Filters): Promise<NetworkView[]>;
  /** By full ID, exact name, or unique ID prefix. */
  inspect(idOrName: string): Promise<NetworkView>;
  remove(idOrName: string): Promise<void>;
  /** Removes unused user networks; filters: until, label, label!. Returns the removed names. */
  prune(filters?: Filters): Promise<string[]>;
  connect(network: string, container: string, endpoint?: EndpointRequest): Promise<void>;
  disconnect(network: string, container: string, force?: boolean): Promise<void>;

  register(containerId: string, config: ContainerNetworkConfig): Promise<void>;
  /** Whether the container's network record exists (register wrote it and unregister did not remove it). */
  isRegistered(containerId: string): boolean;
  attach(containerId: string): Promise<Attachment>;
  /**
   * attach in two steps, for a start: `early` once the sandbox's namespace
   * exists and its files' contents are known (the runtime may create the
   * container in it), `ready` once it is plumbed (interfaces inside,
   * resolver, rules): the container's process may run only after that.
   * `ready` is what attach gives; if it fails, the sandbox is gone.
   */
  attachStaged(containerId: string): StagedAttachment;
  detach(containerId: string): Promise<void>;
  unregister(containerId: string): Promise<void>;
  /** After a rename: DNS and links use the new name. */
  rename(containerId: string, name: string): Promise<void>;
  /** After `rm --link`: the container's links from now on. */
  setLinks(containerId: string, links: string[]): Promise<void>;
  settings(containerId: string): Promise<ContainerNetworkSettings>;
  restore(runningContainerIds: string[]): Promise<void>;
  /** Stops DNS servers and proxies (rules, veths and netns stay for live-restore). */
  close(): Promise<void>;
}
