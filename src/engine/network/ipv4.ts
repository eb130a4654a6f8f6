import { invalid } from '../../lib/errors.js';

/** IPv4 arithmetic on unsigned 32-bit numbers. */

export interface Cidr {
  /** The network address (host bits cleared). */
  base: number;
  prefix: number;
}

export function parseIp(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalid(`invalid IP address: ${text}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function isIpv4(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) && text.split('.').every((p) => Number(p) <= 255);
}

export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n"; with `strict`, host bits must be zero (Docker refuses "172.20.0.1/16" as a subnet). */
export function parseCidr(text: string, { strict = false } = {}): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m || Number(m[2]) > 32) throw invalid(`invalid CIDR address: ${text}`);
  const ip = parseIp(m[1]!);
  const prefix = Number(m[2]);
  const base = (ip & maskOf(prefix)) >>> 0;
  if (strict && base !== ip) throw invalid(`invalid subnet ${text}: it should be ${formatIp(base)}/${prefix}`);
  return { base, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`;
}

export function size(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + size(cidr);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** 02:42 followed by the four address bytes, as Docker derives endpoint MACs. */
export function macFromIp(ip: number): string {
  const bytes = [24, 16, 8, 0].map((s) => (Math.floor(ip / 2 ** s) % 256).toString(16).padStart(2, '0'));
  return ['02', '42', ...bytes].join(':');
}
