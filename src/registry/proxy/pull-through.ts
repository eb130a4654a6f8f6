/**
 * The pull-through cache (distribution's `proxy.remoteurl`): a manifest or
 * blob this registry lacks is fetched from the upstream and kept. A tag is
 * asked of the upstream again once its check is older than the TTL, so a
 * moved tag is followed; when the upstream cannot answer, what is cached is
 * served. Pushes and deletes are refused, as distribution refuses them.
 *
 * What is fetched is removed again once the cache TTL has passed (distribution's
 * proxy.ttl, expiry.ts). Cached content counts against the project's quota as
 * in Harbor's proxy-cache projects (the quota bar shows it): a blob that would
 * take the project over its limit is still served from the upstream, but not
 * kept. Manifests are always kept (they are small, and the handler serves
 * them from storage).
 */
import type { Digest } from '../../lib/digest.js';
import { isDigest } from '../../lib/digest.js';
import { registryError } from '../errors.js';
import type { Context } from '../http/context.js';
import { parseManifest } from '../manifest.js';
import type { Registry } from '../registry.js';
import type { RemoteManifest, RemoteRegistry } from '../remote/client.js';
import { pipeline } from 'node:stream/promises';
import { fillBlob } from './blob-fill.js';
import type { CacheExpiry, CachedKind } from './expiry.js';

/** Which upstream serves a repository, and its name there. */
export interface ProxyTarget {
  cache: PullThrough;
  upstreamName: string;
}

export type ProxyResolver = (repository: string) => ProxyTarget | undefined;

export class PullThrough {
  /** When each "<name>:<tag>" was last confirmed with the upstream (ms). */
  private readonly checked = new Map<string, number>();

  constructor(
    readonly remote: RemoteRegistry,
    private readonly tagTtlMs: number,
    private readonly log: (message: string) => void,
    /** Where fetched content is scheduled to go, and after how long (none: it stays). */
    private readonly expiry?: { schedule: CacheExpiry; ttlMs: number },
  ) {}

  private fetched(name: string, kind: CachedKind, digest: Digest): void {
    this.expiry?.schedule.add(name, kind, digest, this.expiry.ttlMs);
  }

  /** Makes sure the manifest a reference names is stored, so the ordinary handler can serve it. */
  async ensureManifest(registry: Registry, name: string, upstreamName: string, reference: string): Promise<void> {
    if (isDigest(reference)) {
      if ((await registry.repos.manifestMediaType(name, reference)) !== undefined) return;
      const fetched = await this.remote.manifest(upstreamName, reference);
      if (fetched) this.fetched(name, 'manifest', await storeManifest(registry, name, fetched));
      return;
    }
    const key = `${name}:${reference}`;
    const cached = await registry.repos.resolveTag(name, reference);
    if (cached && Date.now() - (this.checked.get(key) ?? -Infinity) < this.tagTtlMs) return;
    try {
      const digest = await this.refreshTag(registry, name, upstreamName, reference);
      if (digest) this.checked.set(key, Date.now());
    } catch (err) {
      // The upstream is down or failing: serve what we have (or the usual 404).
      this.log(`pull-through: ${upstreamName}:${reference} from ${this.remote.base.host}: ${(err as Error).message}${cached ? ' (serving the cached copy)' : ''}`);
    }
  }

  /** Asks the upstream where the tag points now, fetching the manifest when it is new to us. */
  private async refreshTag(registry: Registry, name: string, upstreamName: string, tag: string): Promise<Digest | undefined> {
    let digest = await this.remote.manifestDigest(upstreamName, tag);
    if (digest && (await registry.repos.manifestMediaType(name, digest)) !== undefined) {
      await registry.repos.setTag(name, tag, digest);
      return digest;
    }
    const fetched = await this.remote.manifest(upstreamName, digest ?? tag);
    if (!fetched) return undefined;
    digest = await storeManifest(registry, name, fetched);
    this.fetched(name, 'manifest', digest);
    await registry.repos.setTag(name, tag, digest);
    return digest;
  }

  /** Serves a blob the cache lacks from the upstream; false when we have it (the ordinary handler serves it). */
  async serveBlob(ctx: Context, upstreamName: string, digest: Digest): Promise<boolean> {
    const { registry, name } = ctx;
    if ((await registry.repos.hasBlob(name, digest)) && (await registry.blobs.size(digest)) !== undefined) return false;
    // Stored for another repository already (a layer shared by images): link it, no download.
    const stored = await registry.blobs.size(digest);
    if (stored !== undefined && (await withinQuota(registry, name, stored)) && (await this.remote.blobSize(upstreamName, digest).catch(() => undefined)) !== undefined) {
      await registry.repos.linkBlob(name, digest);
      this.fetched(name, 'blob', digest);
      return false;
    }
    const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest, ETag: `"${digest}"` };
    if (ctx.req.method === 'HEAD') {
      // A HEAD only asks whether the blob exists: the upstream's answer will do, nothing is fetched.
      const size = await this.remote.blobSize(upstreamName, digest);
      if (size === undefined) throw registryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
      ctx.res.writeHead(200, { ...headers, 'Content-Length': size });
      ctx.res.end();
      return true;
    }
    const remote = await this.remote.blob(upstreamName, digest);
    if (!remote) throw registryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
    if (remote.size >= 0) headers['Content-Length'] = remote.size;
    ctx.res.writeHead(200, headers);
    const room = remote.size >= 0 ? await withinQuota(registry, name, remote.size) : !registry.quotaFor?.(name);
    if (!room) {
      this.log(`pull-through: blob ${digest} of ${name} served from ${this.remote.base.host} but not cached: the project's quota has no room for it`);
      await pipeline(remote.stream, ctx.res).catch(() => undefined);
      return true;
    }
    await fillBlob(registry, name, digest, remote.size, remote.stream, ctx.res).then(
      () => this.fetched(name, 'blob', digest),
      (err: unknown) => this.log(`pull-through: blob ${digest} from ${this.remote.base.host}: ${(err as Error).message}; not cached`),
    );
    return true;
  }
}

/** Whether `size` more bytes keep the repository's project within its quota (none: always). */
async function withinQuota(registry: Registry, name: string, size: number): Promise<boolean> {
  const quota = registry.quotaFor?.(name);
  return !quota || (await registry.usage(quota.prefix)) + size <= quota.bytes;
}

/** Checks and stores a fetched manifest in the repository (its blobs come when they are asked for). */
async function storeManifest(registry: Registry, name: string, fetched: RemoteManifest): Promise<Digest> {
  const manifest = parseManifest(fetched.bytes, fetched.mediaType);
  await registry.blobs.putBytes(fetched.bytes);
  await registry.repos.linkManifest(name, manifest.digest, manifest.mediaType);
  return manifest.digest;
}

const BLOB_PATH = /\/blobs\/(sha256:[0-9a-f]{64})$/;
const MANIFEST_PATH = /\/manifests\/[^/]+$/;

/**
 * The pipeline's hook for repositories that a proxy serves: fills the cache
 * before a manifest read, serves blob misses itself (true: answered), and
 * refuses every write.
 */
export async function interceptProxied(ctx: Context, resolve: ProxyResolver): Promise<boolean> {
  if (!ctx.name) return false;
  const target = resolve(ctx.name);
  if (!target) return false;
  const method = ctx.req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';
  if (!read) throw registryError('UNSUPPORTED', 'The operation is unsupported.');
  if (MANIFEST_PATH.test(ctx.path)) {
    await target.cache.ensureManifest(ctx.registry, ctx.name, target.upstreamName, ctx.params[0]!);
    return false;
  }
  const blob = BLOB_PATH.exec(ctx.path);
  if (blob) return target.cache.serveBlob(ctx, target.upstreamName, blob[1] as Digest);
  return false;
}
