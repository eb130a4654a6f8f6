/**
 * Projects that are pull-through caches (Harbor's proxy-cache projects): in
 * `--console` mode, `<project>/<name>` is `<name>` on the project's upstream.
 * Kept in proxy/projects.json in the root, 0600 (it holds the upstream's credentials).
 * What they fetch expires after their TTL (expiry.ts) and counts against
 * their quota (pull-through.ts).
 */
import { join } from 'node:path';
import { Mutex } from '../../lib/mutex.js';
import { projectOf } from '../auth/permissions.js';
import { clientFor, type Endpoint } from '../remote/endpoint.js';
import { readSecretFile, writeSecretFile } from '../remote/secret-file.js';
import { DEFAULT_PROXY_TTL_S } from '../config.js';
import type { CacheExpiry } from './expiry.js';
import { PullThrough, type ProxyTarget } from './pull-through.js';

export interface ProjectProxy {
  upstream: Endpoint;
  tagTtlSeconds: number;
  /** How long fetched content is kept (distribution's proxy.ttl; 0: for ever); absent in files from before it, meaning the default. */
  ttlSeconds?: number;
}

export class ProjectProxies {
  private readonly caches = new Map<string, PullThrough>();
  private readonly lock = new Mutex();

  private constructor(
    private readonly path: string,
    private state: Record<string, ProjectProxy>,
    private readonly log: (message: string) => void,
    private readonly expiry: CacheExpiry,
  ) {
    for (const [project, proxy] of Object.entries(state)) this.caches.set(project, this.cacheFor(proxy));
  }

  static async open(root: string, log: (message: string) => void, expiry: CacheExpiry): Promise<ProjectProxies> {
    const path = join(root, 'proxy', 'projects.json');
    return new ProjectProxies(path, await readSecretFile<Record<string, ProjectProxy>>(path, {}), log, expiry);
  }

  get(project: string): ProjectProxy | undefined {
    return this.state[project];
  }

  async set(project: string, proxy: ProjectProxy | undefined): Promise<void> {
    await this.lock.run(async () => {
      const next = { ...this.state };
      if (proxy) next[project] = proxy;
      else delete next[project];
      await writeSecretFile(this.path, next);
      this.state = next;
      if (proxy) this.caches.set(project, this.cacheFor(proxy));
      else this.caches.delete(project);
    });
  }

  private cacheFor(proxy: ProjectProxy): PullThrough {
    return new PullThrough(clientFor(proxy.upstream), proxy.tagTtlSeconds * 1000, this.log, { schedule: this.expiry, ttlMs: ttlOf(proxy) * 1000 });
  }

  resolve(repository: string): ProxyTarget | undefined {
    const project = projectOf(repository);
    const cache = project === undefined ? undefined : this.caches.get(project);
    return cache && { cache, upstreamName: repository.slice(project!.length + 1) };
  }
}

export const ttlOf = (proxy: ProjectProxy) => proxy.ttlSeconds ?? DEFAULT_PROXY_TTL_S;

