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
export function hostsContent(extra: HostsEntry[], own: HostsEntry | null): string {
  const lines = [...HOSTS_HEAD, ...extra.map((e) => `${e.ip}\t${e.names.join(' ')}`)];
  if (own) lines.push(`${own.ip}\t${own.names.join(' ')}`);
  return lines.join('\n') + '\n';
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
}

/** Name servers of a resolv.conf text. */
export function nameservers(text: string): string[] {
  return text.split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((s): s is string => !!s);
}

/**
 * With an embedded server, the container asks only it (it forwards to --dns or
 * the host's servers); otherwise the host's servers minus loopback ones (not
 * reachable from another netns), Google's when none is left, as Docker does.
 */
export function resolvConfContent(o: ResolvOptions): string {
  const hostLines = o.host.split('\n');
  const pick = (key: string) => hostLines.filter((l) => new RegExp(`^\\s*${key}\\s`).test(l)).map((l) => l.trim());
  let servers: string[];
  if (o.embedded) servers = [o.embedded];
  else if (o.dns.length) servers = o.dns;
  else {
    servers = nameservers(o.host).filter((s) => !/^127\.|^::1$/.test(s));
    if (servers.length === 0) servers = ['8.8.8.8', '8.8.4.4'];
  }
  const search = o.dnsSearch.length ? [`search ${o.dnsSearch.join(' ')}`] : pick('search');
  const options = o.dnsOptions.length ? [`options ${o.dnsOptions.join(' ')}`] : pick('options');
  if (o.embedded && !options.some((l) => l.includes('ndots'))) options.push('options ndots:0');
  return [...servers.map((s) => `nameserver ${s}`), ...search, ...options].join('\n') + '\n';
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
