/**
 * What each repository holds: links to the blobs it may serve, its manifests
 * (stored as blobs, linked here with their media type), its tags and the
 * referrers of its manifests. Every write is a whole small file written
 * atomically, so a crash leaves either the old or the new state.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isHex64, type Digest } from '../../lib/digest.js';
import { writeFileAtomic } from '../../lib/atomic.js';
import { isDigest } from '../../lib/digest.js';
import { isTag } from '../names.js';
import { isManifestMediaType, type ManifestMediaType } from '../media-types.js';
import type { Descriptor } from '../manifest.js';
import { exists, isMissing, listDir, readTextIfExists, removeFile } from './fs-util.js';
import type { Layout } from './layout.js';

export class RepositoryStore {
  constructor(private readonly layout: Layout) {}

  async init(): Promise<void> {
    await mkdir(this.layout.repositoriesDir, { recursive: true });
  }

  // ---- blob links ----

  hasBlob(name: string, digest: Digest): Promise<boolean> {
    return exists(this.layout.layerLink(name, digest));
  }

  async linkBlob(name: string, digest: Digest): Promise<void> {
    await mkdir(this.layout.layersDir(name), { recursive: true });
    await writeFile(this.layout.layerLink(name, digest), '');
  }

  unlinkBlob(name: string, digest: Digest): Promise<boolean> {
    return removeFile(this.layout.layerLink(name, digest));
  }

  async linkedBlobs(name: string): Promise<Digest[]> {
    return hexNames(await listDir(this.layout.layersDir(name)));
  }

  // ---- manifests ----

  /** The media type a manifest was pushed with, or undefined when the repository has no such manifest. */
  async manifestMediaType(name: string, digest: Digest): Promise<ManifestMediaType | undefined> {
    const text = await readTextIfExists(this.layout.revision(name, digest));
    return text !== undefined && isManifestMediaType(text) ? text : undefined;
  }

  async linkManifest(name: string, digest: Digest, mediaType: ManifestMediaType): Promise<void> {
    await writeFileAtomic(this.layout.revision(name, digest), mediaType);
  }

  unlinkManifest(name: string, digest: Digest): Promise<boolean> {
    return removeFile(this.layout.revision(name, digest));
  }

  async manifests(name: string): Promise<Digest[]> {
    return hexNames(await listDir(this.layout.revisionsDir(name)));
  }

  // ---- tags ----

  async resolveTag(name: string, tag: string): Promise<Digest | undefined> {
    const text = (await readTextIfExists(this.layout.tag(name, tag)))?.trim();
    return text !== undefined && isDigest(text) ? text : undefined;
  }

  async setTag(name: string, tag: string, digest: Digest): Promise<void> {
    await writeFileAtomic(this.layout.tag(name, tag), digest);
  }

  deleteTag(name: string, tag: string): Promise<boolean> {
    return removeFile(this.layout.tag(name, tag));
  }

  /** Tags in ASCII order (the spec's "ASCIIbetical", Go's sort.Strings). */
  async tags(name: string): Promise<string[]> {
    return (await listDir(this.layout.tagsDir(name))).filter(isTag).sort(asciiCompare);
  }

  /** Tag → digest for every tag of the repository. */
  async tagMap(name: string): Promise<Map<string, Digest>> {
    const map = new Map<string, Digest>();
    for (const tag of await this.tags(name)) {
      const digest = await this.resolveTag(name, tag);
      if (digest) map.set(tag, digest);
    }
    return map;
  }

  // ---- referrers (OCI 1.1) ----

  async addReferrer(name: string, subject: Digest, referrer: Descriptor): Promise<void> {
    await writeFileAtomic(this.layout.referrer(name, subject, referrer.digest), JSON.stringify(referrer));
  }

  removeReferrer(name: string, subject: Digest, referrer: Digest): Promise<boolean> {
    return removeFile(this.layout.referrer(name, subject, referrer));
  }

  async referrers(name: string, subject: Digest): Promise<Descriptor[]> {
    const dir = this.layout.referrersOf(name, subject);
    const out: Descriptor[] = [];
    for (const hex of (await listDir(dir)).filter(isHex64).sort()) {
      const text = await readTextIfExists(join(dir, hex));
      if (text !== undefined) out.push(JSON.parse(text) as Descriptor);
    }
    return out;
  }

  // ---- repositories ----

  /** A repository exists once a manifest or blob link has been written for it. */
  async exists(name: string): Promise<boolean> {
    return (await exists(this.layout.manifestsDir(name))) || (await exists(this.layout.layersDir(name)));
  }

  /** Whether any manifest was ever pushed (what tags/list and the catalog count as a repository). */
  hasManifests(name: string): Promise<boolean> {
    return exists(this.layout.manifestsDir(name));
  }

  /**
   * Every repository with manifests, in ASCII order; with `withBlobs`, also
   * those holding only blobs so far (a push in progress, for quotas).
   * Folders starting with "_" are the store's own.
   */
  async list(withBlobs = false): Promise<string[]> {
    const markers = withBlobs ? ['_manifests', '_layers'] : ['_manifests'];
    const found: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      if (prefix && entries.some((e) => markers.includes(e.name) && e.isDirectory())) found.push(prefix);
      for (const e of entries) {
        if (e.isDirectory() && !e.name.startsWith('_')) await walk(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name);
      }
    };
    await walk(this.layout.repositoriesDir, '');
    return found.sort(asciiCompare);
  }

  /** Removes a repository's manifests, tags, referrers and blob links; repositories nested below its name stay. */
  async removeRepository(name: string): Promise<void> {
    await rm(this.layout.manifestsDir(name), { recursive: true, force: true });
    await rm(join(this.layout.repository(name), '_layers'), { recursive: true, force: true });
  }

  /** Removes a repository's folder when nothing is left in it (after gc or deletes). */
  async removeIfEmpty(name: string): Promise<void> {
    if ((await this.manifests(name)).length === 0 && (await this.linkedBlobs(name)).length === 0 && (await this.tags(name)).length === 0) {
      await this.removeRepository(name);
    }
  }
}

export function asciiCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hexNames(names: string[]): Digest[] {
  return names.filter(isHex64).map((hex) => `sha256:${hex}` as Digest);
}
