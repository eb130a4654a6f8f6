/**
 * The registry's operations, independent of HTTP: what a push, a pull, a
 * delete or a listing does to the stores, with every rule of the spec that is
 * not about the wire (verification, references that must exist, deletes
 * being off unless enabled).
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Digest } from '../lib/digest.js';
import { KeyedMutex } from '../lib/mutex.js';
import { registryError } from './errors.js';
import { parseManifest, referrerDescriptor, type Descriptor, type Manifest } from './manifest.js';
import type { ManifestMediaType } from './media-types.js';
import { checkDigest, type ManifestReference } from './names.js';
import { BlobStore } from './storage/blobs.js';
import { Layout } from './storage/layout.js';
import { RecentDigests } from './storage/recent.js';
import { asciiCompare, RepositoryStore } from './storage/repositories.js';
import { UploadStore, type ChunkInfo, type UploadStatus } from './storage/uploads.js';

/** How long a blob a push has used is safe from garbage collection (Harbor keeps 2 hours). */
export const GC_GRACE_MS = 3600 * 1000;

/** The spec asks registries to take manifests of at least 4 MB; larger ones get 413. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface RegistryOptions {
  root: string;
  /** Deleting blobs, manifests and tags: off unless enabled, as in distribution. */
  deleteEnabled: boolean;
}

export interface StoredManifest {
  digest: Digest;
  mediaType: ManifestMediaType;
  bytes: Buffer;
}

/**
 * A storage limit shared by a group of repositories (a project: the names
 * under `prefix`/), in bytes of the distinct blobs and manifests they hold.
 */
export interface Quota {
  prefix: string;
  bytes: number;
}

/**
 * What `registry.events` emits once a change is stored: 'push' after a
 * manifest PUT, 'delete' after a manifest or tag DELETE (replication and
 * webhooks listen; a listener's failure is its own business).
 */
export interface RegistryEvent {
  repository: string;
  /** The tag pushed or deleted; absent for a push or delete by digest. */
  tag?: string;
  digest?: Digest;
}

/** A tag about to be set (`to`: the manifest it will name) or deleted (`to` undefined). */
export interface TagChange {
  name: string;
  tag: string;
  to?: Digest;
}

/** One page of a listing, and the last entry when there may be more (for the Link header). */
export interface Page {
  items: string[];
  next?: string;
}

export class Registry {
  readonly layout: Layout;
  readonly blobs: BlobStore;
  readonly uploads: UploadStore;
  readonly repos: RepositoryStore;
  /** Blobs pushes used lately, which garbage collection leaves alone. */
  readonly recent = new RecentDigests(GC_GRACE_MS);
  /** The quota that applies to a repository, if any (set by --console). */
  quotaFor?: (name: string) => Quota | undefined;
  /** 'push' and 'delete', each with a RegistryEvent. */
  readonly events = new EventEmitter();
  /** Asked before a tag is moved or deleted; throws to refuse (set by --console: immutable tags). */
  tagGuard?: (change: TagChange) => Promise<void>;
  /** Told of every manifest removed (deleted through the API or the console, collected, expired), e.g. to drop its pull time. */
  manifestRemoved?: (name: string, digest: Digest) => void;
  /**
   * Held per repository from a tag's guard check to its write (or delete):
   * otherwise two pushes of an immutable tag could both pass the check
   * before either wrote, and the later one would move the tag.
   */
  private readonly tagLocks = new KeyedMutex();

  private constructor(readonly options: RegistryOptions) {
    this.layout = new Layout(options.root);
    this.blobs = new BlobStore(this.layout);
    this.uploads = new UploadStore(this.layout, this.blobs);
    this.repos = new RepositoryStore(this.layout);
  }

  static async open(options: RegistryOptions): Promise<Registry> {
    const registry = new Registry(options);
    await registry.blobs.init();
    await registry.blobs.removeTemporaries();
    await registry.uploads.init();
    await registry.repos.init();
    return registry;
  }

  // ---- blobs ----

  /** The blob's size when the repository may serve it; BLOB_UNKNOWN otherwise. */
  async blobSize(name: string, digest: Digest): Promise<number> {
    this.recent.touch(digest);
    const linked = (await this.repos.hasBlob(name, digest)) || (await this.repos.manifestMediaType(name, digest)) !== undefined;
    const size = linked ? await this.blobs.size(digest) : undefined;
    if (size === undefined) throw registryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
    return size;
  }

  async deleteBlob(name: string, digest: Digest): Promise<void> {
    this.checkDeletesEnabled();
    if (!(await this.repos.unlinkBlob(name, digest))) throw registryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
  }

  /** Cross-repository mount: true when `from` has the blob and it is now linked into `name` too. */
  async mountBlob(name: string, from: string, digest: Digest): Promise<boolean> {
    if (!(await this.repos.hasBlob(from, digest)) || (await this.blobs.size(digest)) === undefined) return false;
    await this.linkWithinQuota(name, digest);
    return true;
  }

  // ---- uploads ----

  startUpload(name: string): Promise<UploadStatus> {
    return this.uploads.start(name);
  }

  /** Finishes an upload: verify, store, and link the blob into the repository. */
  async commitUpload(name: string, id: string, digest: Digest, body: Readable | undefined, chunk: ChunkInfo): Promise<number> {
    const size = await this.uploads.commit(name, id, digest, body, chunk);
    await this.linkWithinQuota(name, digest);
    return size;
  }

  /**
   * Links a blob into a repository unless that takes its project over quota:
   * then the link is taken back (the bytes go at the next gc) and the push
   * is refused with DENIED, as distribution-based registries refuse.
   */
  private async linkWithinQuota(name: string, digest: Digest): Promise<void> {
    this.recent.touch(digest);
    const quota = this.quotaFor?.(name);
    const had = quota !== undefined && (await this.repos.hasBlob(name, digest));
    await this.repos.linkBlob(name, digest);
    if (!quota || had) return;
    const used = await this.usage(quota.prefix);
    if (used <= quota.bytes) return;
    await this.repos.unlinkBlob(name, digest);
    const size = (await this.blobs.size(digest)) ?? 0;
    throw overQuota(quota, used - size, size);
  }

  /** Bytes of the distinct blobs and manifests of the repositories under `prefix`/. */
  async usage(prefix: string): Promise<number> {
    const digests = new Set<Digest>();
    for (const repo of await this.repos.list(true)) {
      if (!repo.startsWith(`${prefix}/`)) continue;
      for (const d of await this.repos.linkedBlobs(repo)) digests.add(d);
      for (const d of await this.repos.manifests(repo)) digests.add(d);
    }
    let total = 0;
    for (const d of digests) total += (await this.blobs.size(d)) ?? 0;
    return total;
  }

  // ---- manifests ----

  /**
   * Stores a manifest under a tag or its digest (plus any extra tags), once
   * everything it references is in the repository.
   */
  async putManifest(name: string, ref: ManifestReference, bytes: Buffer, contentType: string | undefined, extraTags: string[] = []): Promise<Manifest> {
    const manifest = parseManifest(bytes, contentType);
    if (ref.digest && ref.digest !== manifest.digest) {
      throw registryError('DIGEST_INVALID', `manifest digest ${manifest.digest} does not match ${ref.digest}`, { digest: ref.digest });
    }
    for (const d of [...(manifest.config ? [manifest.config] : []), ...manifest.layers, ...manifest.manifests]) this.recent.touch(d.digest);
    await this.checkReferences(name, manifest);
    const tags = [...(ref.tag ? [ref.tag] : []), ...extraTags];
    await this.tagLocks.run(name, async () => {
      for (const tag of tags) await this.tagGuard?.({ name, tag, to: manifest.digest });
      const quota = this.quotaFor?.(name);
      if (quota && (await this.repos.manifestMediaType(name, manifest.digest)) === undefined) {
        const used = await this.usage(quota.prefix);
        if (used + bytes.length > quota.bytes) throw overQuota(quota, used, bytes.length);
      }
      await this.blobs.putBytes(bytes);
      await this.repos.linkManifest(name, manifest.digest, manifest.mediaType);
      if (manifest.subject) await this.repos.addReferrer(name, manifest.subject.digest, referrerDescriptor(manifest));
      for (const tag of tags) await this.repos.setTag(name, tag, manifest.digest);
    });
    for (const tag of tags.length > 0 ? tags : [undefined]) this.events.emit('push', { repository: name, tag, digest: manifest.digest } satisfies RegistryEvent);
    return manifest;
  }

  private async checkReferences(name: string, manifest: Manifest): Promise<void> {
    const missing: Descriptor[] = [];
    for (const d of manifest.manifests) {
      if ((await this.repos.manifestMediaType(name, d.digest)) === undefined) missing.push(d);
    }
    for (const d of [...(manifest.config ? [manifest.config] : []), ...manifest.layers]) {
      // Foreign layers (with urls) live elsewhere, as distribution allows.
      if (d.urls?.length) continue;
      if (!(await this.repos.hasBlob(name, d.digest)) || (await this.blobs.size(d.digest)) === undefined) missing.push(d);
    }
    if (missing.length > 0) {
      throw registryError('MANIFEST_BLOB_UNKNOWN', `manifest references unknown content: ${missing.map((d) => d.digest).join(', ')}`, {
        digest: missing[0]!.digest,
      });
    }
  }

  async resolve(name: string, ref: ManifestReference): Promise<Digest> {
    const digest = ref.digest ?? (await this.repos.resolveTag(name, ref.tag));
    if (!digest) throw registryError('MANIFEST_UNKNOWN', `manifest unknown: ${ref.tag}`, { tag: ref.tag });
    return digest;
  }

  async getManifest(name: string, ref: ManifestReference): Promise<StoredManifest> {
    const digest = await this.resolve(name, ref);
    const mediaType = await this.repos.manifestMediaType(name, digest);
    if (!mediaType) throw registryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { digest });
    return { digest, mediaType, bytes: await this.blobs.read(digest) };
  }

  /**
   * By tag: removes the tag. By digest: removes the manifest from the
   * repository and every tag that points at it. The bytes stay until gc.
   * Returns the manifest's digest.
   */
  async deleteManifest(name: string, ref: ManifestReference): Promise<Digest> {
    this.checkDeletesEnabled();
    if (ref.tag !== undefined) {
      const tag = ref.tag;
      const digest = await this.tagLocks.run(name, async () => {
        const current = await this.repos.resolveTag(name, tag);
        if (current !== undefined) await this.tagGuard?.({ name, tag });
        if (current === undefined || !(await this.repos.deleteTag(name, tag))) throw registryError('MANIFEST_UNKNOWN', `manifest unknown: ${tag}`, { tag });
        return current;
      });
      this.events.emit('delete', { repository: name, tag, digest } satisfies RegistryEvent);
      return digest;
    }
    const digest = await this.tagLocks.run(name, async () => {
      const stored = await this.getManifest(name, ref);
      const tags = [...(await this.repos.tagMap(name))].filter(([, d]) => d === stored.digest).map(([tag]) => tag);
      // All or nothing: one protected tag keeps the manifest and its other tags.
      for (const tag of tags) await this.tagGuard?.({ name, tag });
      await this.removeManifest(name, stored.digest);
      return stored.digest;
    });
    this.events.emit('delete', { repository: name, digest } satisfies RegistryEvent);
    return digest;
  }

  /**
   * Deletes a whole repository, as Harbor's console does: its tags, its
   * manifests and its blob links, so that it leaves the catalog (gc reclaims
   * the bytes). All or nothing: one protected tag keeps everything. Returns
   * what went, a tag for each tagged manifest and the digest of each untagged one.
   */
  async deleteRepository(name: string): Promise<RegistryEvent[]> {
    this.checkDeletesEnabled();
    const deleted = await this.tagLocks.run(name, async () => {
      if (!(await this.repos.hasManifests(name))) throw registryError('NAME_UNKNOWN', 'repository name not known to registry', { name });
      const tagMap = await this.repos.tagMap(name);
      for (const tag of tagMap.keys()) await this.tagGuard?.({ name, tag });
      const tagged = new Set(tagMap.values());
      const events: RegistryEvent[] = [...tagMap].map(([tag, digest]) => ({ repository: name, tag, digest }));
      for (const digest of await this.repos.manifests(name)) if (!tagged.has(digest)) events.push({ repository: name, digest });
      await this.repos.removeRepository(name);
      return events;
    });
    for (const event of deleted) this.events.emit('delete', event);
    return deleted;
  }

  /** Deletes a tag only if it still names `digest` (retention: a tag a push moved since the plan stays). */
  deleteTagIf(name: string, tag: string, digest: Digest): Promise<boolean> {
    return this.tagLocks.run(name, async () => (await this.repos.resolveTag(name, tag)) === digest && this.repos.deleteTag(name, tag));
  }

  /**
   * Removes a manifest, its tags and its referrer entry, whether or not
   * deletes are enabled, with no tag guard and no event (garbage collection).
   */
  async removeManifest(name: string, digest: Digest): Promise<void> {
    const stored = await this.getManifest(name, { digest });
    for (const [tag, d] of await this.repos.tagMap(name)) {
      if (d === stored.digest) await this.repos.deleteTag(name, tag);
    }
    const subject = subjectOf(stored);
    if (subject) await this.repos.removeReferrer(name, subject, stored.digest);
    await this.repos.unlinkManifest(name, stored.digest);
    this.manifestRemoved?.(name, stored.digest);
  }

  // ---- listings ----

  async tags(name: string, n: number | undefined, last: string | undefined): Promise<Page> {
    if (!(await this.repos.hasManifests(name))) throw registryError('NAME_UNKNOWN', 'repository name not known to registry', { name });
    return paginate(await this.repos.tags(name), n, last);
  }

  async catalog(n: number | undefined, last: string | undefined): Promise<Page> {
    return paginate(await this.repos.list(), n, last);
  }

  async referrers(name: string, subject: Digest, artifactType: string | undefined): Promise<Descriptor[]> {
    const all = await this.repos.referrers(name, checkDigest(subject));
    return artifactType === undefined ? all : all.filter((d) => d.artifactType === artifactType);
  }

  private checkDeletesEnabled(): void {
    if (!this.options.deleteEnabled) throw registryError('UNSUPPORTED', 'deletes are disabled on this registry (enable with --delete-enabled)');
  }
}

function overQuota(quota: Quota, used: number, adding: number): Error {
  return registryError('DENIED', `quota exceeded: project ${quota.prefix} may hold ${quota.bytes} bytes, uses ${used}, and this push adds ${adding}`, {
    quota: quota.bytes,
    used,
    adding,
  });
}

/** The spec's n/last pagination over a sorted list: entries after `last`, at most n of them. */
export function paginate(sorted: string[], n: number | undefined, last: string | undefined): Page {
  const start = last === undefined ? 0 : sorted.findIndex((item) => asciiCompare(item, last) > 0);
  const rest = start < 0 ? [] : sorted.slice(start);
  if (n === undefined || rest.length <= n) return { items: rest };
  const items = rest.slice(0, n);
  return { items, next: n > 0 ? items[items.length - 1] : undefined };
}

function subjectOf(stored: StoredManifest): Digest | undefined {
  try {
    const doc = JSON.parse(stored.bytes.toString('utf8')) as { subject?: { digest?: string } };
    const digest = doc.subject?.digest;
    return typeof digest === 'string' ? checkDigest(digest) : undefined;
  } catch {
    return undefined;
  }
}
