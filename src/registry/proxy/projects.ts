/**
 * Projects that are pull-through caches (Harbor's proxy-cache projects): in
 * `--console` mode, `<project>/<name>` is `<name>` on the project's upstream.
 * Kept in proxy/projects.json in the root, 0600 (it holds the upstream's credentials).
 */
import { join } from 'node:path';
import { Mutex } from '../../lib/mutex.js';
import { projectOf } from '../auth/permissions.js';
import { clientFor, type Endpoint } from '../remote/endpoint.js';
import { readSecretFile, writeSecretFile } from '../remote/secret-file.js';
import { PullThrough, type ProxyTarget } from './pull-through.js';

export interface ProjectProxy {
  upstream: Endpoint;
  tagTtlSeconds: number;
}

export class ProjectProxies {
  private readonly caches = new Map<string, PullThrough>();
  private readonly lock = new Mutex();

  private constructor(
    private readonly path: string,
    private state: Record<string, ProjectProxy>,
    private readonly log: (message: string) => void,
  ) {
    for (const [project, proxy] of Object.entries(state)) this.caches.set(project, cacheFor(proxy, log));
  }

  static async open(root: string, log: (message: string) => void): Promise<ProjectProxies> {
    const path = join(root, 'proxy', 'projects.json');
    return new ProjectProxies(path, await readSecretFile<Record<string, ProjectProxy>>(path, {}), log);
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
      if (proxy) this.caches.set(project, cacheFor(proxy, this.log));
      else this.caches.delete(project);
    });
  }

  resolve(repository: string): ProxyTarget | undefined {
    const project = projectOf(repository);
    const cache = project === undefined ? undefined : this.caches.get(project);
    return cache && { cache, upstreamName: repository.slice(project!.length + 1) };
  }
}

function cacheFor(proxy: ProjectProxy, log: (message: string) => void): PullThrough {
  return new PullThrough(clientFor(proxy.upstream), proxy.tagTtlSeconds * 1000, log);
}
