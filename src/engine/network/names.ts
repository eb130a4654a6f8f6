import type { DnsResolver } from './dns.js';
import type { ContainerRecord, LiveEndpoint } from './store.js';
import type { NetworkRecord } from './types.js';

/**
 * The names one container sees through its embedded DNS server, as
 * libnetwork's Sandbox.ResolveName answers them:
 *  - on each user network the container is on (in endpoint order): the names
 *    of the running containers there (not the generated ones), their
 *    --hostname and their network aliases (the short ID is one), all without
 *    regard to case;
 *  - "name.network" for a name on that network only;
 *  - reverse lookups of the addresses there: "<container name>.<network>"
 *    (the first alias for a generated name);
 *  - its own links on a user network ("--link srv:db"): "db" is srv's address
 *    for this container and for no other, and hides any other "db" there.
 * The default bridge is anonymous: nothing there has a name.
 */

export interface NameSource {
  readonly containers: ReadonlyMap<string, ContainerRecord>;
  readonly networks: ReadonlyMap<string, NetworkRecord>;
  /** Forwarding targets when the container has no --dns. */
  defaultUpstreams(): string[];
}

/** The resolver of the embedded DNS server serving container `askerId`. */
export function resolverFor(source: NameSource, askerId: string): DnsResolver {
  return {
    lookup: (name, family = 4) => {
      const asker = source.containers.get(askerId);
      return asker ? resolveName(source, asker, name, family) : [];
    },
    reverse: (ip) => {
      const asker = source.containers.get(askerId);
      return asker ? reverseName(source, asker, ip) : null;
    },
    upstreams: () => {
      const dns = source.containers.get(askerId)?.config.dns ?? [];
      // IPv6 servers go into resolv.conf beside 127.0.0.11 (as dockerd writes it); the server forwards to IPv4 ones.
      const v4 = dns.filter((s) => !s.includes(':'));
      return dns.length > 0 ? v4 : source.defaultUpstreams();
    },
  };
}

/** Addresses of `name` for `asker` (IPv4, or IPv6 with family 6); [] when the name is not one of ours (then it is forwarded). */
export function resolveName(source: NameSource, asker: ContainerRecord, rawName: string, family: 4 | 6 = 4): string[] {
  const name = rawName.toLowerCase().replace(/\.$/, '');
  const endpoints = (asker.sandbox?.endpoints ?? []).filter((e) => hasNames(source.networks.get(e.networkId)));
  // "a.b.c": a.b.c on any network, then a.b on network c, then a on network b.c.
  const tries: Array<{ name: string; network: string | null }> = [{ name, network: null }];
  for (let i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) tries.push({ name: name.slice(0, i), network: name.slice(i + 1) });
  for (const t of tries) {
    const scoped = endpoints.filter((e) => t.network === null || source.networks.get(e.networkId)!.name.toLowerCase() === t.network);
    for (const e of scoped) {
      const target = linkAliases(source, asker, e.networkId).get(t.name);
      const found = target !== undefined ? recordsOn(source, e.networkId, target, family) : [];
      if (found.length) return found;
    }
    for (const e of scoped) {
      if (linkAliases(source, asker, e.networkId).has(t.name)) continue; // an alias of its own hides the name
      const found = recordsOn(source, e.networkId, t.name, family);
      if (found.length) return found;
    }
  }
  return [];
}

/** The name of the running container at `ip` on one of the asker's user networks, with the network's name. */
export function reverseName(source: NameSource, asker: ContainerRecord, ip: string): string | null {
  for (const own of asker.sandbox?.endpoints ?? []) {
    const n = source.networks.get(own.networkId);
    if (!hasNames(n)) continue;
    for (const c of source.containers.values()) {
      const e = c.sandbox?.endpoints.find((x) => x.networkId === n.id && x.plan.ip === ip);
      // A container with a generated name goes by its first alias (its short ID unless it has others).
      const name = c.config.anonymous ? e?.aliases[0] : c.config.name;
      if (e && name) return `${name}.${n.name}`;
    }
  }
  return null;
}

/** User-defined networks: not the default bridge, host or none. */
export function hasNames(n: NetworkRecord | undefined): n is NetworkRecord {
  return !!n && n.name !== 'bridge' && n.driver !== 'host' && n.driver !== 'null';
}

/** The asker's link aliases on one network, alias → linked container's name (lower case). */
function linkAliases(source: NameSource, asker: ContainerRecord, networkId: string): Map<string, string> {
  const index = asker.networks.findIndex((x) => x.networkId === networkId);
  const entry = asker.networks[index];
  // Endpoint links are what docker run --link sends for a user network; HostConfig.Links count on the primary one.
  const specs = entry?.request.links ?? (index === 0 ? asker.config.links ?? [] : []);
  const out = new Map<string, string>();
  for (const spec of specs) {
    const [rawName, rawAlias] = spec.split(':');
    const target = rawName!.replace(/^\//, '').toLowerCase();
    out.set((rawAlias ?? rawName!).replace(/^.*\//, '').toLowerCase(), target);
  }
  return out;
}

/** Addresses of the running containers on a network answering to `name` (name, hostname or alias), of one family. */
function recordsOn(source: NameSource, networkId: string, name: string, family: 4 | 6): string[] {
  const out: string[] = [];
  for (const c of source.containers.values()) {
    const e: LiveEndpoint | undefined = c.sandbox?.endpoints.find((x) => x.networkId === networkId);
    if (!e) continue;
    const names = [...(c.config.anonymous ? [] : [c.config.name]), c.config.hostname, ...e.aliases].map((n) => n.toLowerCase());
    const ip = family === 6 ? e.plan.ip6 : e.plan.ip;
    if (names.includes(name) && ip) out.push(ip);
  }
  return out;
}
