/**
 * What this registry does with other registries, set up at start: the
 * whole-registry pull-through cache (proxy.remoteurl), and in --console mode
 * proxy-cache projects and replication. The pipeline gets one resolver for
 * proxied repositories; the management API gets the stores.
 */
import type { ProxyConfig } from '../config.js';
import type { CacheExpiry } from '../proxy/expiry.js';
import { ProjectProxies } from '../proxy/projects.js';
import { PullThrough, type ProxyResolver } from '../proxy/pull-through.js';
import type { Registry } from '../registry.js';
import { ReplicationStore } from '../replication/store.js';
import { Replicator } from '../replication/replicator.js';
import { clientFor } from './endpoint.js';

export interface RemoteServices {
  proxies: ProjectProxies;
  replication: Replicator;
}

export async function openRemoteServices(
  root: string,
  registry: Registry,
  log: (message: string) => void,
  expiry: CacheExpiry,
  replicationParallel: number,
): Promise<RemoteServices> {
  return {
    proxies: await ProjectProxies.open(root, log, expiry),
    replication: new Replicator(await ReplicationStore.open(root), registry, log, { parallel: replicationParallel }),
  };
}

/** Proxy-cache projects first, then the whole-registry upstream; undefined when nothing is proxied. */
export function proxyResolver(
  config: ProxyConfig | undefined,
  services: RemoteServices | undefined,
  log: (message: string) => void,
  expiry: CacheExpiry | undefined,
): ProxyResolver | undefined {
  const upstream = config && clientFor({ url: config.remoteUrl, username: config.username, password: config.password });
  const whole = upstream && new PullThrough(upstream, config.tagTtlSeconds * 1000, log, expiry && { schedule: expiry, ttlMs: config.ttlSeconds * 1000 });
  if (!whole && !services) return undefined;
  return (repository) => services?.proxies.resolve(repository) ?? (whole && { cache: whole, upstreamName: repository });
}
