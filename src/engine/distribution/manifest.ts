import { isDigest, type Digest } from '../../lib/digest.js';
import { invalid, notFound } from '../../lib/errors.js';
import { formatPlatform, type Platform } from '../../lib/platform.js';

/** Manifests larger than this are refused (as distribution's registry and containerd do). */
export const MAX_MANIFEST_BYTES = 4 << 20;
/** Image configs are JSON too; long histories make them larger than manifests, but not unboundedly. */
export const MAX_CONFIG_BYTES = 8 << 20;

export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

/** What a pull asks for, in dockerd's order of preference. */
export const MANIFEST_ACCEPT = [MediaType.dockerManifest, MediaType.dockerList, MediaType.ociManifest, MediaType.ociIndex];

const LAYER_TYPES = new Set([
  MediaType.dockerLayerGzip,
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
]);

export type { Platform };

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  platform?: Platform;
}

export interface ImageManifest {
  kind: 'image';
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestIndex {
  kind: 'index';
  manifests: Descriptor[];
}

/** Parses a manifest or index, checking the fields a pull relies on. */
export function parseManifest(bytes: Buffer, contentType: string, reference: string): ImageManifest | ManifestIndex {
  let doc: { schemaVersion?: number; mediaType?: string; config?: unknown; layers?: unknown; manifests?: unknown };
  try {
    doc = JSON.parse(bytes.toString());
  } catch (err) {
    throw invalid(`failed to parse manifest for ${reference}: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null) throw invalid(`failed to parse manifest for ${reference}: not a JSON object`);
  const mediaType = doc.mediaType || contentType;
  if (doc.schemaVersion === 1 || mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed) {
    throw invalid(`${reference}: Docker Image Format v1 and Docker Image manifest version 2, schema 1 are not supported; push the image again with a newer client`);
  }
  if (doc.schemaVersion !== 2) throw invalid(`unsupported manifest schema version ${String(doc.schemaVersion)} for ${reference}`);
  if (Array.isArray(doc.manifests) || mediaType === MediaType.dockerList || mediaType === MediaType.ociIndex) {
    if (!Array.isArray(doc.manifests)) throw invalid(`invalid manifest list for ${reference}: no manifests`);
    return { kind: 'index', manifests: doc.manifests.map((d) => descriptor(d, reference)) };
  }
  if (!Array.isArray(doc.layers) || doc.config === undefined) throw invalid(`invalid manifest for ${reference}: config and layers are required`);
  const layers = doc.layers.map((d) => descriptor(d, reference));
  for (const layer of layers) {
    if (!LAYER_TYPES.has(layer.mediaType as never)) throw invalid(`unsupported layer media type ${layer.mediaType} in ${reference}`);
  }
  return { kind: 'image', config: descriptor(doc.config, reference), layers };
}

function descriptor(value: unknown, reference: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (typeof d !== 'object' || d === null || typeof d.digest !== 'string' || !isDigest(d.digest)) {
    throw invalid(`invalid manifest for ${reference}: a descriptor has no valid sha256 digest`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`invalid manifest for ${reference}: descriptor ${d.digest} has no valid size`);
  return { mediaType: String(d.mediaType ?? ''), digest: d.digest, size: d.size, urls: d.urls, platform: d.platform };
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', i386: '386' };

// The `platform` parameter is read as containerd reads it, in one place for create, pull and build.
export { formatPlatform, hostPlatform, parsePlatform } from '../../lib/platform.js';

/** arm64's default variant is v8: "linux/arm64" and "linux/arm64/v8" are the same platform. */
function variantOf(p: Platform): string {
  return p.variant ?? (p.architecture === 'arm64' ? 'v8' : '');
}

export function platformMatches(want: Platform, have: Platform | undefined): boolean {
  if (!have) return false;
  if (have.os !== want.os || (ARCH_ALIASES[have.architecture] ?? have.architecture) !== want.architecture) return false;
  return want.variant === undefined || variantOf(have) === variantOf(want);
}

/** The index entry for a platform, or the error dockerd gives when there is none. */
export function selectPlatform(index: ManifestIndex, want: Platform): Descriptor {
  const candidates = index.manifests.filter((m) => platformMatches(want, m.platform));
  const chosen = candidates.find((m) => variantOf(m.platform!) === variantOf(want)) ?? candidates[0];
  if (!chosen) throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  return chosen;
}
