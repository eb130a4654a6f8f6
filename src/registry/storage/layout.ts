/**
 * Where everything lives under the registry's root. Only validated names,
 * tags, digests and upload IDs (see ../names.ts) are ever joined into these
 * paths, and the store's own folders start with "_", which no repository
 * component can.
 *
 *   blobs/sha256/<hex>                                  every blob and manifest, shared by all repositories
 *   uploads/<uuid>/data, uploads/<uuid>/repository      uploads in progress (invisible until committed)
 *   repositories/<name>/_layers/sha256/<hex>            the repository may serve this blob
 *   repositories/<name>/_manifests/revisions/sha256/<hex>   a manifest of the repository; holds its media type
 *   repositories/<name>/_manifests/tags/<tag>           the digest the tag points at
 *   repositories/<name>/_manifests/referrers/sha256/<subject hex>/<hex>   a referrer's descriptor (OCI 1.1)
 */
import { join } from 'node:path';
import { hexOf, type Digest } from '../../lib/digest.js';

export class Layout {
  constructor(readonly root: string) {}

  get blobsDir(): string {
    return join(this.root, 'blobs', 'sha256');
  }

  blob(digest: Digest): string {
    return join(this.blobsDir, hexOf(digest));
  }

  get uploadsDir(): string {
    return join(this.root, 'uploads');
  }

  upload(id: string): string {
    return join(this.uploadsDir, id);
  }

  get repositoriesDir(): string {
    return join(this.root, 'repositories');
  }

  repository(name: string): string {
    return join(this.repositoriesDir, name);
  }

  layersDir(name: string): string {
    return join(this.repository(name), '_layers', 'sha256');
  }

  layerLink(name: string, digest: Digest): string {
    return join(this.layersDir(name), hexOf(digest));
  }

  manifestsDir(name: string): string {
    return join(this.repository(name), '_manifests');
  }

  revisionsDir(name: string): string {
    return join(this.manifestsDir(name), 'revisions', 'sha256');
  }

  revision(name: string, digest: Digest): string {
    return join(this.revisionsDir(name), hexOf(digest));
  }

  tagsDir(name: string): string {
    return join(this.manifestsDir(name), 'tags');
  }

  tag(name: string, tag: string): string {
    return join(this.tagsDir(name), tag);
  }

  referrersOf(name: string, subject: Digest): string {
    return join(this.manifestsDir(name), 'referrers', 'sha256', hexOf(subject));
  }

  referrer(name: string, subject: Digest, digest: Digest): string {
    return join(this.referrersOf(name, subject), hexOf(digest));
  }
}
