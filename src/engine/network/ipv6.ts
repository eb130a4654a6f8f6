import { invalid } from '../../lib/errors.js';

/**
 * Address math for both families on BigInt, so IPv6's 128 bits fit: an
 * address is a bigint plus its family, a prefix is a network address plus a
 * length. ipv4.ts keeps the older number-based helpers the IPv4 IPAM uses.
 */

export type Family = 4 | 6;

export interface IpPrefix {
  family: Family;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

export function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** 4 for dotted quads, 6 for anything with a colon (then parsed strictly), null otherwise. */
export function familyOf(text: string): Family | null {
  if (text.includes(':')) return 6;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) ? 4 : null;
}

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

/** The eight 16-bit groups of an IPv6 text ("::" expanded, a trailing dotted quad allowed), or null. */
function parseV6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return null;
  let groups: string[];
  const [head, tail] = text.split('::') as [string, string | undefined];
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  let right = split(tail ?? '');
  let left = split(head);
  const last = (tail === undefined ? left : right).at(-1);
  let v4Tail: bigint | null = null;
  if (last?.includes('.')) {
    v4Tail = parseV4(last);
    if (v4Tail === null) return null;
    if (tail === undefined) left = left.slice(0, -1);
    else right = right.slice(0, -1);
  }
  const want = v4Tail === null ? 8 : 6;
  if (tail === undefined) {
    if (left.length !== want) return null;
    groups = left;
  } else {
    const missing = want - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  }
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
  return v4Tail === null ? value : (value << 32n) | v4Tail;
}

/** Parses an address of either family; `invalid` with Docker's wording otherwise. */
export function parseAddress(text: string): { family: Family; value: bigint } {
  const family = familyOf(text);
  const value = family === 4 ? parseV4(text) : family === 6 ? parseV6(text) : null;
  if (value === null) throw invalid(`invalid ${family === 6 ? 'IPv6' : 'IP'} address: ${text}`);
  return { family: family!, value };
}

/** An IPv6 address in its canonical text (RFC 5952: lower case, the longest zero run as "::"). */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** Canonical text of an address of either family (so "FD00:0::01" and "fd00::1" compare equal). */
export function canonicalAddress(text: string): string {
  const { family, value } = parseAddress(text);
  return formatAddress(family, value);
}

function maskOf(family: Family, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/**
 * Parses "addr/len". With `strict`, host bits must be zero (as berth's IPv4
 * subnets); without, they are cleared (dockerd takes "fd00::1/64" as a subnet).
 */
export function parsePrefix(text: string, { strict = false } = {}): IpPrefix {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const family = m ? familyOf(m[1]!) : null;
  if (!m || !family || Number(m[2]) > bitsOf(family)) throw invalid(`invalid CIDR address: ${text}`);
  const { value } = parseAddress(m[1]!);
  const prefix = Number(m[2]);
  const base = value & maskOf(family, prefix);
  if (strict && base !== value) throw invalid(`invalid subnet ${text}: it should be ${formatAddress(family, base)}/${prefix}`);
  return { family, base, prefix };
}

export function formatPrefix(p: IpPrefix): string {
  return `${formatAddress(p.family, p.base)}/${p.prefix}`;
}

export function prefixSize(p: IpPrefix): bigint {
  return 1n << BigInt(bitsOf(p.family) - p.prefix);
}

export function prefixContains(p: IpPrefix, family: Family, value: bigint): boolean {
  return family === p.family && value >= p.base && value < p.base + prefixSize(p);
}

export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  return a.family === b.family && a.base < b.base + prefixSize(b) && b.base < a.base + prefixSize(a);
}

/**
 * dockerd's address on a default bridge whose --fixed-cidr-v6 leaves at
 * least 48 host bits: the prefix with the endpoint's MAC in the low 48 bits
 * (so 02:42:ac:11:00:02 in 2001:db8:1::/64 is 2001:db8:1::242:ac11:2).
 */
export function macBasedAddress(p: IpPrefix, mac: string): bigint {
  return p.base | BigInt(`0x${mac.split(':').join('')}`);
}
