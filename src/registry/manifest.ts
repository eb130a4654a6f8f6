/**
 * Parsing and checking a pushed manifest before anything is stored: its media
 * type (from Content-Type, or its own mediaType field when the client sent
 * none), its shape, and the descriptors it references. Whether the referenced
 * content exists is checked by the caller against the repository.
 */
import { isDigest, sha256, type Digest } from '../lib/digest.js';
import { registryError } from './errors.js';
import {
  DOCKER_SCHEMA1,
  isIndexMediaType,
  isManifestMediaType,
  OCI_INDEX,
  OCI_MANIFEST,
  type ManifestMediaType,
} from './media-types.js';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
}

export interface Manifest {
  bytes: Buffer;
  digest: Digest;
  mediaType: ManifestMediaType;
  /** Image manifests: config and layers. */
  config?: Descriptor;
  layers: Descriptor[];
  /** Indexes and manifest lists: the manifests they list. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

type Json = Record<string, unknown>;

export function parseManifest(bytes: Buffer, contentType: string | undefined): Manifest {
  const doc = parseObject(bytes);
  const mediaType = mediaTypeOf(doc, contentType);
  if (doc.schemaVersion !== 2) throw invalidManifest('schemaVersion must be 2');
  const manifest: Manifest = {
    bytes,
    digest: sha256(bytes),
    mediaType,
    layers: [],
    manifests: [],
    subject: doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject'),
    artifactType: optionalString(doc.artifactType, 'artifactType'),
    annotations: annotations(doc.annotations, 'annotations'),
  };
  if (isIndexMediaType(mediaType)) {
    manifest.manifests = descriptorList(doc.manifests, 'manifests');
  } else {
    manifest.config = descriptor(doc.config, 'config');
    manifest.layers = descriptorList(doc.layers, 'layers');
  }
  return manifest;
}

/**
 * Content-Type decides (the spec: clients MUST send it); a manifest's own
 * mediaType, when present, must agree. A client that sent no usable
 * Content-Type gets the type from the mediaType field, or from the shape.
 */
function mediaTypeOf(doc: Json, contentType: string | undefined): ManifestMediaType {
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const sent = contentType?.split(';')[0]!.trim().toLowerCase();
  if (sent && DOCKER_SCHEMA1.includes(sent)) throw invalidManifest('schema 1 manifests are not supported');
  if (sent && isManifestMediaType(sent)) {
    if (declared !== undefined && declared !== sent) {
      throw invalidManifest(`mediaType ${JSON.stringify(declared)} does not match Content-Type ${JSON.stringify(sent)}`);
    }
    return sent;
  }
  if (declared !== undefined) {
    if (isManifestMediaType(declared)) return declared;
    throw invalidManifest(`unsupported manifest media type ${JSON.stringify(declared)}`);
  }
  if (Array.isArray(doc.manifests)) return OCI_INDEX;
  if (doc.config !== undefined) return OCI_MANIFEST;
  throw invalidManifest(`unsupported manifest media type ${JSON.stringify(sent ?? '')}`);
}

function parseObject(bytes: Buffer): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalidManifest(`manifest is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidManifest('manifest must be a JSON object');
  return doc as Json;
}

function descriptorList(value: unknown, field: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalidManifest(`${field} must be an array`);
  return value.map((entry, i) => descriptor(entry, `${field}[${i}]`));
}

function descriptor(value: unknown, field: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidManifest(`${field} must be a descriptor object`);
  const d = value as Json;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalidManifest(`${field}.mediaType must be a string`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) {
    throw registryError('DIGEST_INVALID', `${field}.digest is not a sha256 digest: ${JSON.stringify(d.digest)}`, { field });
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalidManifest(`${field}.size must be a non-negative integer`);
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.urls !== undefined) {
    if (!Array.isArray(d.urls) || !d.urls.every((u) => typeof u === 'string')) throw invalidManifest(`${field}.urls must be strings`);
    out.urls = d.urls as string[];
  }
  const artifactType = optionalString(d.artifactType, `${field}.artifactType`);
  if (artifactType !== undefined) out.artifactType = artifactType;
  const notes = annotations(d.annotations, `${field}.annotations`);
  if (notes !== undefined) out.annotations = notes;
  if (typeof d.platform === 'object' && d.platform !== null) out.platform = d.platform as Descriptor['platform'];
  return out;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidManifest(`${field} must be a string`);
  return value;
}

function annotations(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw invalidManifest(`${field} must map strings to strings`);
  }
  return value as Record<string, string>;
}

function invalidManifest(message: string) {
  return registryError('MANIFEST_INVALID', message);
}

/**
 * The descriptor a referrers listing shows for a manifest (OCI 1.1): its
 * artifactType, or for an image manifest without one, its config's media type.
 */
export function referrerDescriptor(m: Manifest): Descriptor {
  const d: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
  const artifactType = m.artifactType ?? (isIndexMediaType(m.mediaType) ? undefined : m.config?.mediaType);
  if (artifactType) d.artifactType = artifactType;
  if (m.annotations) d.annotations = m.annotations;
  return d;
}
