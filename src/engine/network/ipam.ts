import { conflict, invalid, unavailable } from '../../lib/errors.js';
import { contains, formatCidr, formatIp, overlaps, parseCidr, parseIp, size, type Cidr } from './ipv4.js';
import type { IpamPool } from './types.js';

/**
 * Address management: choosing a subnet for a new network from the candidate
 * pools (Docker's defaults: 172.17–31.0.0/16, then 192.168.0.0/20 steps),
 * skipping any that overlaps a host route, a host address or another network;
 * and handing out addresses inside a network.
 */

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
 * Completes a user-given pool: checks that gateway and range lie in the
 * subnet, and fills in the gateway (first address) when it is missing.
 */
export function completePool(pool: IpamPool, { withGateway = true } = {}): IpamPool {
  const subnet = parseCidr(pool.Subnet, { strict: true });
  const out: IpamPool = { Subnet: formatCidr(subnet) };
  if (pool.IPRange) {
    const range = parseCidr(pool.IPRange, { strict: true });
    if (range.base < subnet.base || range.base + size(range) > subnet.base + size(subnet)) {
      throw invalid(`invalid pool request: ip-range ${pool.IPRange} is not within subnet ${pool.Subnet}`);
    }
    out.IPRange = formatCidr(range);
  }
  if (pool.Gateway) {
    if (!contains(subnet, parseIp(pool.Gateway))) throw invalid(`no matching subnet for gateway ${pool.Gateway}`);
    out.Gateway = pool.Gateway;
  } else if (withGateway) {
    out.Gateway = formatIp(subnet.base + 1);
  }
  if (pool.AuxiliaryAddresses) out.AuxiliaryAddresses = { ...pool.AuxiliaryAddresses };
  return out;
}

/** Hands out addresses of one pool; what is in use is given (it is derived from the endpoints). */
export class AddressAllocator {
  private readonly subnet: Cidr;
  private readonly range: Cidr;
  private readonly reserved = new Set<number>();
  private readonly used = new Set<number>();
  /** Where the next search starts: addresses are handed out round-robin, as Docker does, so a freed one is not reused at once. */
  private cursor: number;

  constructor(readonly pool: IpamPool) {
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

  /** Marks an address as used (restore, static --ip); `conflict` when it already is. */
  claim(address: string): string {
    const ip = parseIp(address);
    if (!contains(this.subnet, ip)) throw invalid(`no configured subnet or ip-range contain the IP address ${address}`);
    if (this.used.has(ip) || this.reserved.has(ip)) throw conflict(`Address already in use`);
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
    throw unavailable(`no available IPv4 addresses on this network's address pools: ${this.pool.Subnet}`);
  }

  release(address: string): void {
    this.used.delete(parseIp(address));
  }
}
