/**
 * The contents of a container's /etc/hosts and /etc/resolv.conf and the
 * environment of --link, as Docker writes them. Pure functions: the service
 * gathers the facts, the containers service writes the files.
 */

const HOSTS_HEAD = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface HostsEntry {
  ip: string;
  names: string[];
}

/** Default entries, then --add-host and links, then the container's own address and name. */
export function hostsContent(extra: HostsEntry[], own: HostsEntry | HostsEntry[] | null): string {
  const lines = [...HOSTS_HEAD, ...extra.map((e) => `${e.ip}\t${e.names.join(' ')}`)];
  // A dual-stack container has two lines of its own, IPv4 first, as dockerd writes them.
  for (const entry of [own ?? []].flat()) lines.push(`${entry.ip}\t${entry.names.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** A hosts file with the entry of an address added at the end, as dockerd writes it when a running container joins a network. */
export function withHostsEntry(content: string, entry: HostsEntry): string {
  return `${content}${entry.ip}\t${entry.names.join(' ')}\n`;
}

/** A hosts file without the entries of `ip` (the container left that address's network). */
export function withoutHostsEntry(content: string, ip: string): string {
  return content.split('\n').filter((line) => line.split('\t', 1)[0] !== ip).join('\n');
}

/** --add-host "name:ip" (also "name=ip"); "host-gateway" is replaced by `gateway`. */
export function parseExtraHosts(specs: string[], gateway: string): HostsEntry[] {
  return specs.map((spec) => {
    const sep = spec.includes('=') ? spec.indexOf('=') : spec.indexOf(':');
    const name = spec.slice(0, sep);
    const ip = spec.slice(sep + 1).replace(/^\[(.*)\]$/, '$1');
    return { ip: ip === 'host-gateway' ? gateway : ip, names: [name] };
  });
}

export interface ResolvOptions {
  /** The host's resolv.conf text. */
  host: string;
  /** The embedded DNS server's address (user networks), or null. */
  embedded: string | null;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** The host's network namespace: its resolv.conf is copied as is unless --dns* is given. */
  hostNetwork?: boolean;
}

/** A resolv.conf's lines without comments (libnetwork's getLines with '#'). */
function resolvLines(text: string): string[][] {
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean)).filter((f) => f.length > 0);
}

/** Name servers of a resolv.conf text. */
export function nameservers(text: string): string[] {
  return resolvLines(text).filter((f) => f[0] === 'nameserver' && f.length === 2).map((f) => f[1]!);
}

/** The last `key` line's values (search domains, options), as libnetwork reads them. */
function lastValues(text: string, key: string): string[] {
  let out: string[] = [];
  for (const f of resolvLines(text)) if (f[0] === key && f.length > 1) out = f.slice(1);
  return out;
}

const IPV4_LOOPBACK_NS = /^nameserver\s+127\.(\d{1,3}\.){2}\d{1,3}\s*$\n*/gm;
const IPV6_NS = /^nameserver\s+\S*:\S*\s*$\n*/gm;
const LOOPBACK6_NS = /^nameserver\s+::1\s*$\n*/gm;

/**
 * libnetwork's FilterResolvDNS: the host's text without the name servers a
 * private netns cannot reach (loopback, IPv6), Google's appended when none is
 * left — byte for byte, comments and all.
 */
function filterHostResolv(host: string): string {
  let text = host.replace(IPV4_LOOPBACK_NS, '').replace(LOOPBACK6_NS, '').replace(IPV6_NS, '');
  if (nameservers(text).length === 0) text += '\nnameserver 8.8.8.8\nnameserver 8.8.4.4';
  return text;
}

/** libnetwork's resolvconf.Build: search first, then name servers, then options. */
function buildResolv(servers: string[], search: string[], options: string[]): string {
  let out = '';
  if (search.length > 0 && search.join(' ').trim() !== '.') out += `search ${search.join(' ')}\n`;
  for (const s of servers) out += `nameserver ${s}\n`;
  if (options.length > 0 && options.join(' ').trim() !== '') out += `options ${options.join(' ')}\n`;
  return out;
}

/**
 * The container's resolv.conf as dockerd 20.10 writes it. With --dns,
 * --dns-search or --dns-option the file is rebuilt from them (the host's
 * values filling the gaps); without, the host's file is copied (host
 * network) or filtered. On a network with an embedded server the container
 * asks only it (it forwards to --dns or the host's servers), with ndots:0
 * unless an ndots option is given.
 */
export function resolvConfContent(o: ResolvOptions): string {
  const overridden = o.dns.length > 0 || o.dnsSearch.length > 0 || o.dnsOptions.length > 0;
  let text: string;
  if (overridden) {
    const pick = (given: string[], key: string) => (given.length > 0 ? given : lastValues(o.host, key));
    text = buildResolv(o.dns.length > 0 ? o.dns : nameservers(o.host), pick(o.dnsSearch, 'search'), pick(o.dnsOptions, 'options'));
  } else {
    text = o.hostNetwork ? o.host : filterHostResolv(o.host);
  }
  if (!o.embedded || o.hostNetwork) return text;
  const options = lastValues(text, 'options');
  if (!options.some((opt) => opt.startsWith('ndots'))) options.push('ndots:0');
  // The embedded server forwards to IPv4 servers only; IPv6 ones stay in the file for the container to ask itself.
  const ipv6 = nameservers(text).filter((s) => s.includes(':'));
  return buildResolv([o.embedded, ...ipv6], lastValues(text, 'search'), options);
}

export interface LinkTarget {
  /** The linked container's name (no slash) and the alias it gets. */
  name: string;
  alias: string;
  /** This container's name, for ALIAS_NAME=/me/alias. */
  self: string;
  ip: string;
  exposedPorts: string[];
  env: string[];
}

/** The old links' environment: ALIAS_NAME, ALIAS_PORT*, ALIAS_ENV_*. */
export function linkEnv(t: LinkTarget): string[] {
  const prefix = t.alias.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const out = [`${prefix}_NAME=/${t.self}/${t.alias}`];
  const ports = t.exposedPorts
    .map((k) => { const [p, proto = 'tcp'] = k.split('/'); return { port: Number(p), proto }; })
    .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  if (ports[0]) out.push(`${prefix}_PORT=${ports[0].proto}://${t.ip}:${ports[0].port}`);
  for (const { port, proto } of ports) {
    const key = `${prefix}_PORT_${port}_${proto.toUpperCase()}`;
    out.push(`${key}=${proto}://${t.ip}:${port}`, `${key}_ADDR=${t.ip}`, `${key}_PORT=${port}`, `${key}_PROTO=${proto}`);
  }
  for (const kv of t.env) {
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const name = kv.slice(0, eq);
    if (name === 'HOME' || name === 'PATH' || name === 'HOSTNAME') continue;
    out.push(`${prefix}_ENV_${name}=${kv.slice(eq + 1)}`);
  }
  return out;
}
