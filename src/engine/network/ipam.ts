import { EngineError, forbidden, invalid, unavailable } from '../../lib/errors.js';
import { contains, formatCidr, formatIp, isIpv4, overlaps, parseCidr, parseIp, size, type Cidr } from './ipv4.js';
import type { IpamPool } from './types.js';

/**
 * Address management: choosing a subnet for a new network from the candidate
 * pools (Docker's defaults: 172.17–31.0.0/16, then 192.168.0.0/20 steps),
 * skipping any that overlaps a host route, a host address or another network;
 * and handing out addresses inside a network.
 */

/** dockerd answers these address errors with 500; berth keeps its status as well as its text. */
function internal(message: string): EngineError {
  return new EngineError('internal', message);
}

export interface AddressPool {
  /** "172.17.0.0/16" */
  base: string;
  /** Prefix length of each subnet carved from it. */
  size: number;
}

export const DEFAULT_ADDRESS_POOLS: AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/15', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/13', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Every candidate subnet of the pools, in order. */
export function* candidateSubnets(pools: AddressPool[]): Generator<Cidr> {
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    if (pool.size < base.prefix) throw invalid(`invalid address pool ${pool.base}: size ${pool.size} is larger than the pool`);
    const step = 2 ** (32 - pool.size);
    for (let at = base.base; at < base.base + size(base); at += step) yield { base: at, prefix: pool.size };
  }
}

/** The first candidate that overlaps nothing in `taken` (host routes and addresses, other networks). */
export function pickSubnet(pools: AddressPool[], taken: Cidr[]): Cidr {
  for (const candidate of candidateSubnets(pools)) {
    if (!taken.some((t) => overlaps(candidate, t))) return candidate;
  }
  throw unavailable('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}

/**
 * Completes a user-given pool: checks range, gateway and auxiliary addresses
 * against the subnet with dockerd's messages, and fills in the gateway (first
 * address) when it is missing. `network` names the network in messages.
 */
export function completePool(pool: IpamPool, { withGateway = true, network = '' } = {}): IpamPool {
  const subnet = checkSubnet(pool.Subnet);
  const out: IpamPool = { Subnet: formatCidr(subnet) };
  if (pool.IPRange) out.IPRange = checkRange(subnet, pool.IPRange);
  if (pool.Gateway) out.Gateway = checkGateway(subnet, pool.Gateway);
  else if (withGateway) out.Gateway = formatIp(subnet.base + 1);
  if (pool.AuxiliaryAddresses && Object.keys(pool.AuxiliaryAddresses).length) {
    out.AuxiliaryAddresses = checkAuxiliary(subnet, out.Gateway, pool.AuxiliaryAddresses, network);
  }
  return out;
}

/** --subnet: dockerd's message when it does not parse; berth also wants the host bits clear. */
function checkSubnet(text: string): Cidr {
  if (!/^[\d.]+\/\d{1,2}$/.test(text) || !isIpv4(text.split('/')[0]!) || Number(text.split('/')[1]) > 32) {
    throw internal(`Invalid subnet ${text} : invalid CIDR address: ${text}`);
  }
  return parseCidr(text, { strict: true });
}

/** --ip-range: a CIDR inside the subnet, kept as written (dockerd shows "10.1.2.5/24" as given). */
function checkRange(subnet: Cidr, text: string): string {
  const message = `failed to parse pool request for address space "LocalDefault" pool "${formatCidr(subnet)}" subpool "${text}": Invalid Address SubPool`;
  let range: Cidr;
  try {
    range = parseCidr(text);
  } catch {
    throw internal(message);
  }
  // dockerd takes any range and maps its host part into the subnet; berth refuses one that does not lie inside.
  if (range.prefix < subnet.prefix || !contains(subnet, range.base)) throw invalid(message);
  return text;
}

/** --gateway: an address of the subnet other than its network and broadcast addresses. */
function checkGateway(subnet: Cidr, text: string): string {
  if (!isIpv4(text)) throw internal(`invalid gateway address ${text} in Ipam configuration`);
  const ip = parseIp(text);
  if (!contains(subnet, ip)) throw internal(`failed to allocate gateway (${text}): Requested address is out of range`);
  if (isNetworkOrBroadcast(subnet, ip)) throw internal(`failed to allocate gateway (${text}): Address already in use`);
  return text;
}

/** --aux-address name=ip: inside the subnet, and neither the gateway, another auxiliary address, nor the network or broadcast address. */
function checkAuxiliary(subnet: Cidr, gateway: string | undefined, aux: Record<string, string>, network: string): Record<string, string> {
  const taken = new Set<number>(gateway ? [parseIp(gateway)] : []);
  for (const [name, text] of Object.entries(aux)) {
    if (!isIpv4(text)) throw internal(`non parsable secondary ip address (${name}:${text}) passed for network ${network}`);
    const ip = parseIp(text);
    if (!contains(subnet, ip)) throw forbidden(`auxiliary address: (${name}:${text}) must belong to the master pool: ${formatCidr(subnet)}`);
    if (taken.has(ip) || isNetworkOrBroadcast(subnet, ip)) throw internal(`failed to allocate secondary ip address (${name}:${text}): Address already in use`);
    taken.add(ip);
  }
  return { ...aux };
}

function isNetworkOrBroadcast(subnet: Cidr, ip: number): boolean {
  return subnet.prefix < 31 && (ip === subnet.base || ip === subnet.base + size(subnet) - 1);
}

/** Hands out addresses of one pool; what is in use is given (it is derived from the endpoints). */
export class AddressAllocator {
  private readonly subnet: Cidr;
  private readonly range: Cidr;
  private readonly reserved = new Set<number>();
  private readonly used = new Set<number>();
  /** Where the next search starts: addresses are handed out round-robin, as Docker does, so a freed one is not reused at once. */
  private cursor: number;

  /** `owner` names the network in dockerd's messages: "name (id)". */
  constructor(readonly pool: IpamPool, private readonly owner = pool.Subnet) {
    this.subnet = parseCidr(pool.Subnet);
    this.range = pool.IPRange ? parseCidr(pool.IPRange) : this.subnet;
    this.reserved.add(this.subnet.base).add(this.subnet.base + size(this.subnet) - 1);
    if (pool.Gateway) this.reserved.add(parseIp(pool.Gateway));
    for (const aux of Object.values(pool.AuxiliaryAddresses ?? {})) this.reserved.add(parseIp(aux));
    this.cursor = this.range.base;
  }

  get prefixLength(): number {
    return this.subnet.prefix;
  }

  /** Marks an address as used (restore, static --ip, which may lie outside the ip-range); `forbidden` when it already is, as dockerd. */
  claim(address: string): string {
    const ip = parseIp(address);
    if (!contains(this.subnet, ip)) throw internal(`Invalid address ${address}: It does not belong to any of this network's subnets`);
    if (this.used.has(ip) || this.reserved.has(ip)) throw forbidden('Address already in use');
    this.used.add(ip);
    return address;
  }

  allocate(): string {
    const total = size(this.range);
    for (let i = 0; i < total; i++) {
      const ip = this.range.base + ((this.cursor - this.range.base + i) % total);
      if (this.used.has(ip) || this.reserved.has(ip)) continue;
      this.used.add(ip);
      this.cursor = ip + 1;
      return formatIp(ip);
    }
    throw unavailable(`no available IPv4 addresses on this network's address pools: ${this.owner}`);
  }

  release(address: string): void {
    this.used.delete(parseIp(address));
  }
}
