/**
 * Copies one tagged image from this registry to another: an index's child
 * manifests first, each image's blobs (skipped when the target has them,
 * mounted from another repository of the target that we know has them),
 * then the manifest under the tag, so the target never holds a manifest
 * whose content is missing.
 */
import { createReadStream } from 'node:fs';
import type { Digest } from '../../lib/digest.js';
import { parseManifest, type Descriptor } from '../manifest.js';
import type { Registry } from '../registry.js';
import type { RemoteRegistry } from '../remote/client.js';

export interface CopyCounts {
  uploaded: number;
  mounted: number;
  skipped: number;
}

export class ImageCopier {
  readonly counts: CopyCounts = { uploaded: 0, mounted: 0, skipped: 0 };

  /**
   * @param known where on the target each blob is known to be (for mounts);
   *   shared across copies to the same target.
   */
  constructor(
    private readonly registry: Registry,
    private readonly target: RemoteRegistry,
    private readonly known: Map<Digest, string>,
  ) {}

  async copyTag(source: string, tag: string, destination: string): Promise<Digest> {
    const digest = await this.registry.resolve(source, { tag });
    await this.copyManifest(source, digest, destination, tag);
    return digest;
  }

  private async copyManifest(source: string, digest: Digest, destination: string, reference: string): Promise<void> {
    const stored = await this.registry.getManifest(source, { digest });
    const manifest = parseManifest(stored.bytes, stored.mediaType);
    for (const child of manifest.manifests) await this.copyManifest(source, child.digest, destination, child.digest);
    const blobs = [...(manifest.config ? [manifest.config] : []), ...manifest.layers].filter((d) => !d.urls?.length);
    for (const blob of blobs) await this.copyBlob(blob, destination);
    await this.target.putManifest(destination, reference, { mediaType: stored.mediaType, bytes: stored.bytes });
  }

  private async copyBlob(blob: Descriptor, destination: string): Promise<void> {
    if ((await this.target.blobSize(destination, blob.digest)) !== undefined) {
      this.counts.skipped++;
      this.known.set(blob.digest, destination);
      return;
    }
    const from = this.known.get(blob.digest);
    const file = this.registry.layout.blob(blob.digest);
    const how = await this.target.pushBlob(destination, blob.digest, blob.size, () => createReadStream(file), from !== destination ? from : undefined);
    this.counts[how]++;
    this.known.set(blob.digest, destination);
  }
}
