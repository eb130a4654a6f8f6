/**
 * `network create`'s --subnet, --ip-range, --gateway and --aux-address
 * grouped into IPAM.Config entries as the docker CLI does (its
 * consolidateIpam): each range, gateway and auxiliary address goes to the
 * subnet that contains it, with the CLI's own messages when none does.
 */
import { BlockList, isIP } from 'node:net';

export interface IpamConfigEntry {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** The CLI's refusal: printed as is (no "Error:" prefix), exit status 1. */
export class IpamFlagError extends Error {}

export function consolidateIpam(subnets: string[], ranges: string[], gateways: string[], aux: Record<string, string>): IpamConfigEntry[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new IpamFlagError('every ip-range or gateway must have a corresponding subnet');
  }
  const entries = new Map<string, IpamConfigEntry>();
  for (const s of subnets) {
    for (const k of entries.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new IpamFlagError('multiple overlapping subnet configuration is not supported');
    }
    entries.set(s, { Subnet: s });
  }
  assign(subnets, entries, ranges, 'range', 'IPRange', (r, old, s) => `cannot configure multiple ranges (${r}, ${old}) on the same subnet (${s})`);
  assign(subnets, entries, gateways, 'gateway', 'Gateway', (g, old, s) => `cannot configure multiple gateways (${g}, ${old}) for the same subnet (${s})`);
  for (const [key, address] of Object.entries(aux)) {
    const owners = subnets.filter((s) => subnetMatches(s, address));
    if (!owners.length) throw new IpamFlagError(`no matching subnet for aux-address ${address}`);
    for (const s of owners) entries.get(s)!.AuxiliaryAddresses = { ...entries.get(s)!.AuxiliaryAddresses, [key]: address };
  }
  return [...entries.values()];
}

function assign(
  subnets: string[], entries: Map<string, IpamConfigEntry>, values: string[], what: string,
  field: 'IPRange' | 'Gateway', twice: (value: string, old: string, subnet: string) => string,
): void {
  for (const value of values) {
    const owners = subnets.filter((s) => subnetMatches(s, value));
    if (!owners.length) throw new IpamFlagError(`no matching subnet for ${what} ${value}`);
    for (const s of owners) {
      const entry = entries.get(s)!;
      if (entry[field]) throw new IpamFlagError(twice(value, entry[field]!, s));
      entry[field] = value;
    }
  }
}

/** Whether `data` (an address, or the address of a CIDR) lies in `subnet`; a bad subnet is the CLI's "invalid subnet" error. */
function subnetMatches(subnet: string, data: string): boolean {
  const s = parseCidr(subnet);
  if (!s) throw new IpamFlagError(`invalid subnet: invalid CIDR address: ${subnet}`);
  let ip = data;
  if (data.includes('/')) {
    const d = parseCidr(data);
    if (!d) throw new IpamFlagError(`invalid CIDR address: ${data}`);
    ip = d.address;
  }
  const family = isIP(ip);
  if (family === 0 || (family === 4) !== (s.family === 'ipv4')) return false;
  const list = new BlockList();
  list.addSubnet(s.address, s.prefix, s.family);
  return list.check(ip, s.family);
}

function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const family = m ? isIP(m[1]!) : 0;
  if (!m || family === 0 || Number(m[2]) > (family === 4 ? 32 : 128)) return undefined;
  return { address: m[1]!, prefix: Number(m[2]), family: family === 4 ? 'ipv4' : 'ipv6' };
}
