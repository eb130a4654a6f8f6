import { readdir, readFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import { errnoCode, invalid } from '../../lib/errors.js';
import type { TlsSettings } from './transport.js';
import type { RegistrySettings } from './types.js';

/** Docker Hub: what references say, where its API lives, and the key its credentials are stored under. */
export const HUB_DOMAIN = 'docker.io';
export const HUB_REGISTRY = 'https://registry-1.docker.io';
export const HUB_INDEX = 'https://index.docker.io';
export const HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** One place to try for a registry host: a mirror, the registry over HTTPS, or over plain HTTP. */
export interface Endpoint {
  url: URL;
  tls: TlsSettings;
  mirror: boolean;
  /** Plain HTTP or unverified TLS: allowed to carry credentials only because the registry is listed as insecure. */
  insecure: boolean;
}

/**
 * Where a registry host's API is, in the order dockerd tries them: for Docker
 * Hub the mirrors first, then registry-1.docker.io; for other hosts HTTPS,
 * and for insecure registries HTTPS without verification and then plain HTTP.
 * 127.0.0.0/8 is insecure by default, as in dockerd (::1 is not).
 */
export class EndpointResolver {
  private readonly insecureNames = new Set<string>();
  private readonly insecureNets = new BlockList();

  constructor(private readonly settings: RegistrySettings) {
    checkSettings(settings);
    this.insecureNets.addSubnet('127.0.0.0', 8, 'ipv4');
    for (const entry of settings.insecureRegistries) this.addInsecure(entry);
    for (const mirror of settings.mirrors) validateMirror(mirror);
  }

  private addInsecure(entry: string): void {
    const cidr = /^([0-9a-fA-F.:]+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]!)) {
      this.insecureNets.addSubnet(cidr[1]!, Number(cidr[2]), isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4');
      return;
    }
    const name = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (name.includes('/') || name === '') throw invalid(`insecure registry ${entry} is not valid: path is not allowed`);
    this.insecureNames.add(name.toLowerCase());
  }

  /** dockerd's isSecureIndex: listed by name, or resolving into a listed (or loopback) network. */
  async isInsecure(host: string): Promise<boolean> {
    const lower = host.toLowerCase();
    if (this.insecureNames.has(lower)) return true;
    const hostname = hostnameOf(lower);
    if (this.insecureNames.has(hostname)) return true;
    const addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await lookup(hostname, { all: true }).catch(() => []);
    return addresses.some((a) => this.insecureNets.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'));
  }

  async endpoints(domain: string): Promise<Endpoint[]> {
    if (domain === HUB_DOMAIN) {
      const mirrors = await Promise.all(this.settings.mirrors.map((m) => this.endpointFor(new URL(m), true)));
      return [...mirrors.flat(), { url: new URL(HUB_REGISTRY), tls: await this.tlsFor('registry-1.docker.io', true), mirror: false, insecure: false }];
    }
    return this.endpointFor(new URL(`https://${domain}`), false);
  }

  private async endpointFor(url: URL, mirror: boolean): Promise<Endpoint[]> {
    const insecure = await this.isInsecure(url.host);
    if (url.protocol === 'http:') {
      // A mirror given as http:// is used as written (dockerd does too), but never gets credentials unless insecure.
      return [{ url, tls: { verify: true }, mirror, insecure }];
    }
    const secure: Endpoint = { url, tls: await this.tlsFor(url.host, !insecure), mirror, insecure };
    if (!insecure) return [secure];
    const plain = new URL(url.href);
    plain.protocol = 'http:';
    return [secure, { url: plain, tls: { verify: false }, mirror, insecure }];
  }

  /** TLS settings for a host: CA and client certificates from the first certs.d directory that has the host. */
  async tlsFor(host: string, verify: boolean): Promise<TlsSettings> {
    for (const root of this.settings.certsDirs) {
      const found = await readCertsDir(join(root, host));
      if (found) return { ...found, verify };
    }
    return { verify };
  }
}

/** dockerd's layout: *.crt are CAs, and each *.cert needs the *.key of the same name. */
async function readCertsDir(dir: string): Promise<Omit<TlsSettings, 'verify'> | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
  const ca = await Promise.all(names.filter((n) => n.endsWith('.crt')).map((n) => readFile(join(dir, n))));
  const certName = names.find((n) => n.endsWith('.cert'));
  if (!certName) return { ca };
  const keyName = certName.replace(/\.cert$/, '.key');
  if (!names.includes(keyName)) throw invalid(`missing key ${keyName} for client certificate ${certName}. CA certificates must use the extension .crt`);
  return { ca, cert: await readFile(join(dir, certName)), key: await readFile(join(dir, keyName)) };
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** dockerd's ValidateMirror: an http(s) URL with no path, query or credentials. */
export function validateMirror(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`invalid mirror: "${value}" is not a valid URI`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`invalid mirror: unsupported scheme "${url.protocol.replace(':', '')}" in "${value}"`);
  if (url.username || url.password) throw invalid(`invalid mirror: username/password not allowed in URI "${value}"`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw invalid(`invalid mirror: path, query, or fragment at end of the URI "${value}"`);
  }
}

/** daemon.json's registry keys, checked as dockerd checks them at start. */
function checkSettings(settings: RegistrySettings): void {
  const strings = (key: string, list: unknown) => {
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw invalid(`"${key}" must be a list of strings`);
  };
  strings('registry-mirrors', settings.mirrors);
  strings('insecure-registries', settings.insecureRegistries);
  if (!Number.isInteger(settings.maxConcurrentDownloads) || settings.maxConcurrentDownloads < 1) {
    throw invalid(`invalid max concurrent downloads: ${settings.maxConcurrentDownloads}`);
  }
  if (!Number.isInteger(settings.maxConcurrentUploads) || settings.maxConcurrentUploads < 1) {
    throw invalid(`invalid max concurrent uploads: ${settings.maxConcurrentUploads}`);
  }
}
