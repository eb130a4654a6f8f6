import { conflict, forbidden, invalid, notFound, unavailable } from '../../lib/errors.js';
import type { AddressPool } from './ipam.js';
import {
  formatAddress, macBasedAddress, parseAddress, parsePrefix, prefixContains, prefixesOverlap, prefixSize,
  type IpPrefix,
} from './ipv6.js';
import type { IpamPool, NetworkRecord } from './types.js';

/**
 * IPv6 address management, on the family-aware BigInt math of ipv6.ts (the
 * IPv4 side keeps ipam.ts): a network's IPv6 pool, picked from the IPv6
 * entries of the daemon's default-address-pools when --ipv6 comes without a
 * subnet, and the addresses handed out in it.
 */

/** Docker's error when --ipv6 has no subnet and no IPv6 default pool has room (dockerd answers 404). */
const NO_POOL = 'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network';

export function isIpv6Pool(pool: IpamPool): boolean {
  return pool.Subnet?.includes(':') ?? false;
}

/** A network's IPv6 pool, kept after its IPv4 one in NetworkRecord.ipam (the order dockerd shows). */
export function ipv6Pool(n: NetworkRecord): IpamPool | undefined {
  return n.ipam.find(isIpv6Pool);
}

/** The first subnet of the IPv6 pools that overlaps nothing in `taken`. */
export function pickSubnet6(pools: AddressPool[], taken: IpPrefix[]): IpPrefix {
  for (const pool of pools) {
    const base = parsePrefix(pool.base, { strict: true });
    if (pool.size < base.prefix || pool.size > 128) throw invalid(`invalid address pool ${pool.base}: size ${pool.size} is larger than the pool`);
    const step = 1n << BigInt(128 - pool.size);
    for (let at = base.base; at < base.base + prefixSize(base); at += step) {
      const candidate: IpPrefix = { family: 6, base: at, prefix: pool.size };
      if (!taken.some((t) => prefixesOverlap(candidate, t))) return candidate;
    }
  }
  throw notFound(NO_POOL);
}

/**
 * Checks a user's IPv6 pool and returns it as given: dockerd shows a
 * configured pool as the user wrote it (host bits and all, no gateway when
 * none was given), so the effective values are derived where they are used
 * (gateway6Of; the allocator clears host bits).
 */
export function checkPool6(pool: IpamPool, taken: IpPrefix[]): IpamPool {
  const subnet = parsePrefix(pool.Subnet);
  if (taken.some((t) => prefixesOverlap(subnet, t))) throw forbidden('Pool overlaps with other one on this address space');
  if (pool.IPRange) {
    const range = parsePrefix(pool.IPRange);
    if (range.prefix < subnet.prefix || !prefixContains(subnet, 6, range.base)) {
      throw invalid(`invalid pool request: ip-range ${pool.IPRange} is not within subnet ${pool.Subnet}`);
    }
  }
  const gateway = parseAddress(gateway6Of(pool));
  if (!prefixContains(subnet, gateway.family, gateway.value)) throw invalid(`no matching subnet for gateway ${pool.Gateway}`);
  const out: IpamPool = { Subnet: pool.Subnet };
  for (const key of ['IPRange', 'Gateway'] as const) if (pool[key]) out[key] = pool[key];
  if (pool.AuxiliaryAddresses) out.AuxiliaryAddresses = { ...pool.AuxiliaryAddresses };
  return out;
}

/** The gateway of an IPv6 pool: the one given, else the subnet's first address (what dockerd's IPAM picks). */
export function gateway6Of(pool: IpamPool): string {
  return pool.Gateway ?? formatAddress(6, parsePrefix(pool.Subnet).base + 1n);
}

/**
 * Hands out the IPv6 addresses of one pool, round-robin from the range as
 * dockerd does; the subnet-router anycast address (the network address), the
 * gateway and auxiliary addresses are never given.
 */
export class Ipv6Allocator {
  private readonly subnet: IpPrefix;
  private readonly range: IpPrefix;
  private readonly reserved = new Set<bigint>();
  private readonly used = new Set<bigint>();
  private cursor: bigint;

  constructor(readonly pool: IpamPool) {
    this.subnet = parsePrefix(pool.Subnet);
    this.range = pool.IPRange ? parsePrefix(pool.IPRange) : this.subnet;
    this.reserved.add(this.subnet.base);
    for (const a of [gateway6Of(pool), ...Object.values(pool.AuxiliaryAddresses ?? {})]) {
      if (a && a.includes(':')) this.reserved.add(parseAddress(a).value);
    }
    this.cursor = this.range.base;
  }

  get prefixLength(): number {
    return this.subnet.prefix;
  }

  /** Marks an address as used (--ip6, restore); dockerd's texts for a malformed, foreign or taken one. */
  claim(address: string): string {
    if (!address.includes(':')) throw invalid(`invalid IPv6 address: ${address}`);
    const { value } = parseAddress(address);
    if (!prefixContains(this.subnet, 6, value)) throw invalid(`Invalid address ${address}: It does not belong to any of this network's subnets`);
    if (this.used.has(value) || this.reserved.has(value)) throw conflict('Address already in use');
    this.used.add(value);
    return formatAddress(6, value);
  }

  /** The next free address; with `mac` on a default bridge of at least 48 host bits, dockerd's MAC-derived one. */
  allocate(mac?: string): string {
    if (mac && this.subnet.prefix <= 80) return this.claim(formatAddress(6, macBasedAddress(this.subnet, mac)));
    const total = prefixSize(this.range);
    // A /64 cannot be searched exhaustively; a full pool shows long before 2^16 tries on any real network.
    const tries = total < 65536n ? total : 65536n;
    for (let i = 0n; i < tries; i++) {
      const value = this.range.base + ((this.cursor - this.range.base + i) % total);
      if (this.used.has(value) || this.reserved.has(value)) continue;
      this.used.add(value);
      this.cursor = value + 1n;
      return formatAddress(6, value);
    }
    throw unavailable(`no available IPv6 addresses on this network's address pools: ${this.pool.Subnet}`);
  }

  release(address: string): void {
    this.used.delete(parseAddress(address).value);
  }
}
