import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { chainIds, hexOf, sha256, type Digest } from '../../../lib/digest.js';
import { pipeSafely } from '../../../lib/streams.js';
import { familiarString, normalizedString, parseNormalizedNamed } from '../../../lib/reference.js';
import type { ContentStore } from '../../content/types.js';
import type { StoredImage } from '../store.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

interface Selection {
  image: StoredImage;
  /** Familiar tags to record, e.g. "busybox:latest". */
  tags: string[];
}

interface Blob {
  digest: Digest;
  size: number;
  bytes?: Buffer;
  /** A layer's tar, opened (not yet read) when its size was asked for. */
  stream?: Readable;
}

/** The exact tar of a layer of the image, and its size (see openLayerTar). */
export type LayerTarOpener = (chain: Digest, diffId: Digest) => Promise<{ stream: Readable; size: number }>;

/**
 * Writes images as Docker 25+ does: an OCI image layout (oci-layout,
 * index.json, blobs/sha256/…) that also carries the legacy manifest.json and
 * repositories files, so both old and new `docker load` accept it. Layer blobs
 * are the exact uncompressed tars whose digests are the config's diff IDs, so
 * image IDs survive the round trip.
 */
export async function saveImages(content: ContentStore, layerTar: LayerTarOpener, selections: Selection[]): Promise<Readable> {
  const blobs = new Map<Digest, Blob>();
  const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const indexEntries: object[] = [];
  const repositories: Record<string, Record<string, string>> = {};

  for (const { image, tags } of selections) {
    const configBytes = await content.read(image.id);
    blobs.set(image.id, { digest: image.id, size: configBytes.length, bytes: configBytes });
    const layers: Blob[] = [];
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    for (const [i, chain] of chainIds(diffIds).entries()) {
      const diffId = diffIds[i]!;
      const known = blobs.get(diffId);
      // Fail before the first byte is sent: a missing layer must be an HTTP error, not a cut tar.
      const layer = known ?? { digest: diffId, ...(await layerTar(chain, diffId)) };
      layers.push(layer);
      blobs.set(diffId, layer);
    }
    const manifestBytes = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: image.id, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
    }));
    const manifestDigest = sha256(manifestBytes);
    blobs.set(manifestDigest, { digest: manifestDigest, size: manifestBytes.length, bytes: manifestBytes });
    const descriptor = { mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifestBytes.length };
    if (tags.length === 0) indexEntries.push(descriptor);
    for (const tag of tags) {
      const ref = parseNormalizedNamed(tag);
      indexEntries.push({
        ...descriptor,
        annotations: { 'io.containerd.image.name': normalizedString(ref), 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' },
      });
      const repo = familiarString({ domain: ref.domain, path: ref.path });
      const top = layers.at(-1);
      if (top) (repositories[repo] ??= {})[ref.tag ?? 'latest'] = hexOf(top.digest);
    }
    manifestJson.push({
      Config: blobPath(image.id),
      RepoTags: tags.length > 0 ? tags : null,
      Layers: layers.map((l) => blobPath(l.digest)),
    });
  }

  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: indexEntries };
  const pack = tar.pack();
  const out = new PassThrough();
  // A client that goes away destroys `out`: the pack, and the blob being read into it, must go too, quietly.
  void pipeSafely(pack as unknown as Readable, out, 'image save');
  void writeEntries(pack, content, blobs, {
    'index.json': JSON.stringify(index),
    'manifest.json': JSON.stringify(manifestJson),
    'oci-layout': JSON.stringify({ imageLayoutVersion: '1.0.0' }),
    repositories: Object.keys(repositories).length > 0 ? JSON.stringify(repositories) : undefined,
  }).catch((err: Error) => out.destroy(err));
  return out;
}

function blobPath(digest: Digest): string {
  return `blobs/sha256/${hexOf(digest)}`;
}

async function writeEntries(pack: tar.Pack, content: ContentStore, blobs: Map<Digest, Blob>, files: Record<string, string | undefined>): Promise<void> {
  const mtime = new Date(0);
  pack.entry({ name: 'blobs', type: 'directory', mode: 0o755, mtime });
  pack.entry({ name: 'blobs/sha256', type: 'directory', mode: 0o755, mtime });
  for (const blob of blobs.values()) {
    const header = { name: blobPath(blob.digest), size: blob.size, mode: 0o444, mtime };
    if (blob.bytes) {
      pack.entry(header, blob.bytes);
      continue;
    }
    const sink = pack.entry(header);
    await pipeline(blob.stream ?? content.open(blob.digest), sink);
  }
  for (const [name, text] of Object.entries(files)) {
    if (text !== undefined) pack.entry({ name, mode: 0o444, mtime }, Buffer.from(text));
  }
  pack.finalize();
}
