import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { chainIds, isDigest, shortId, sha256, type Digest } from '../../../lib/digest.js';
import { decompress, parseJson, readCapped } from '../../../lib/compression.js';
import { invalid } from '../../../lib/errors.js';
import { parseNormalizedNamed, withDefaultTag, type Reference } from '../../../lib/reference.js';
import type { ContentStore } from '../../content/types.js';
import type { LayerStore } from '../../layers/types.js';
import type { ImageConfig, ProgressSink } from '../types.js';
import { hostArchitecture } from '../import.js';
import { LayerStreamer } from './stream-layers.js';

/** Files up to this size are kept in memory while the archive streams by; larger ones go to the content store. */
const SMALL_FILE = 1 << 20;
/** Cap on what one archive may hold in memory in all. */
const MEMORY_BUDGET = 64 << 20;

/** A file of the archive: in memory, staged in the content store, extracted into the layer store (see LayerStreamer), or a link. */
type Entry =
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 'blob'; digest: Digest; size: number }
  | { kind: 'streamed' }
  | { kind: 'link'; target: string };

interface LoadOptions {
  progress: ProgressSink;
  quiet: boolean;
  /** Stores a verified config and its tags once its layers are in the layer store or their tars in the content store. */
  commit(configBytes: Buffer, tags: Reference[]): Promise<Digest>;
}

interface LoadDeps {
  content: ContentStore;
  layers: LayerStore;
  /** Whether a stored image uses a layer (chain ID): one this load made but another image came to use stays. */
  imageUses?(chain: Digest): boolean;
}

/**
 * `docker load`: reads a tar written by `docker save` (legacy manifest.json
 * with <id>/layer.tar, or Docker 25+'s OCI layout) or any OCI image layout,
 * optionally compressed. Entries stream into the content store, or, for a
 * layer whose parent is known as it arrives, straight into the layer store
 * (LayerStreamer); nothing is written outside them, names are checked so an
 * entry cannot point outside the archive, and layers no loaded image uses
 * are removed again (a truncated or malformed archive leaves none).
 */
export async function loadArchive(deps: LoadDeps, archive: Readable, options: LoadOptions): Promise<void> {
  const streamer = new LayerStreamer(deps.layers, (chain) => deps.imageUses?.(chain) ?? false);
  const used = new Set<Digest>();
  try {
    const { stream } = await decompress(archive);
    const entries = await readEntries(deps.content, streamer, stream);
    const files = new ArchiveFiles(deps.content, streamer, entries);
    const loading = { ...options, commit: commitNoting(options, used) };
    if (entries.has('manifest.json')) {
      await loadDockerManifest(files, loading);
    } else if (entries.has('index.json')) {
      await loadOciLayout(files, loading);
    } else {
      throw invalid('invalid archive: no manifest.json or index.json found (not a docker save or OCI layout tarball)');
    }
  } finally {
    await streamer.discardUnused(used);
  }
}

/** options.commit, noting the chain IDs of each image committed (their layers are in use). */
function commitNoting(options: LoadOptions, used: Set<Digest>): LoadOptions['commit'] {
  return async (configBytes, tags) => {
    const id = await options.commit(configBytes, tags);
    const diffIds = parseJson<ImageConfig>(configBytes, 'config').rootfs.diff_ids as Digest[];
    for (const chain of chainIds(diffIds)) used.add(chain);
    return id;
  };
}

async function readEntries(content: ContentStore, streamer: LayerStreamer, stream: Readable): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const extract = tar.extract();
  let inMemory = 0;
  const done = (async () => {
    for await (const tarEntry of extract) {
      const entry = tarEntry as unknown as AsyncIterable<Buffer> & Readable & { header: tar.Header };
      const name = archiveName(entry.header.name);
      const { type, size = 0 } = entry.header;
      const streamOn = type === 'file' || type === 'contiguous-file' ? streamer.parentOf(name, (json) => bytesOf(entries.get(json))) : undefined;
      if (streamOn !== undefined) {
        await streamer.extract(name, entry, size, streamOn);
        entries.set(name, { kind: 'streamed' });
      } else if (type === 'file' || type === 'contiguous-file') {
        if (size <= SMALL_FILE && inMemory + size <= MEMORY_BUDGET) {
          inMemory += size;
          entries.set(name, { kind: 'bytes', bytes: await readCapped(entry, SMALL_FILE, name) });
        } else {
          const written = await content.write(entry);
          entries.set(name, { kind: 'blob', ...written });
        }
      } else if (type === 'symlink' || type === 'link') {
        const target = type === 'symlink' ? posix.join(posix.dirname(name), entry.header.linkname ?? '') : entry.header.linkname ?? '';
        entries.set(name, { kind: 'link', target: archiveName(target) });
        entry.resume();
      } else {
        entry.resume();
      }
    }
  })();
  stream.on('error', (err) => extract.destroy(err));
  stream.pipe(extract);
  try {
    await done;
  } catch (err) {
    if ((err as { kind?: string }).kind) throw err;
    throw invalid(`invalid tar archive: ${(err as Error).message}`, err);
  }
  return entries;
}

function bytesOf(entry: Entry | undefined): Buffer | undefined {
  return entry?.kind === 'bytes' ? entry.bytes : undefined;
}

/** A name inside the archive, normalised; anything that would leave the archive is refused. */
function archiveName(raw: string): string {
  const normalised = posix.normalize(raw.replace(/^(\.\/)+/, '')).replace(/\/$/, '');
  if (normalised.startsWith('/') || normalised === '..' || normalised.startsWith('../')) {
    throw invalid(`invalid archive entry ${JSON.stringify(raw)}: path leaves the archive`);
  }
  return normalised;
}

class ArchiveFiles {
  constructor(readonly content: ContentStore, readonly streamer: LayerStreamer, private readonly entries: Map<string, Entry>) {}

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The file `name` is, links followed: its final name and entry. */
  resolve(name: string): { name: string; entry: Exclude<Entry, { kind: 'link' }> } {
    let current = archiveName(name);
    for (let hops = 0; hops < 16; hops++) {
      const entry = this.entries.get(current);
      if (!entry) throw invalid(`invalid archive: ${name} is missing`);
      if (entry.kind !== 'link') return { name: current, entry };
      current = entry.target;
    }
    throw invalid(`invalid archive: too many links resolving ${name}`);
  }

  async bytes(name: string): Promise<Buffer> {
    const { entry } = this.resolve(name);
    if (entry.kind === 'streamed') throw invalid(`invalid archive: ${name} is a layer, not a JSON document`);
    if (entry.kind === 'bytes') return entry.bytes;
    if (entry.size > 16 << 20) throw invalid(`invalid archive: ${name} is too large for a JSON document`);
    return this.content.read(entry.digest);
  }

  async json<T>(name: string): Promise<T> {
    return parseJson<T>(await this.bytes(name), name);
  }

  /** Puts a file into the content store and returns its digest. */
  async store(name: string): Promise<{ digest: Digest; size: number }> {
    const { entry } = this.resolve(name);
    if (entry.kind === 'streamed') throw invalid(`invalid archive: ${name} is used as a layer twice`);
    if (entry.kind === 'blob') return { digest: entry.digest, size: entry.size };
    return this.content.write(entry.bytes);
  }
}

/** Makes sure the layers of a config are in the layer store, or their tars in the content store. */
async function storeLayers(files: ArchiveFiles, names: readonly string[], diffIds: readonly Digest[], options: LoadOptions): Promise<void> {
  let parent: Digest | null = null;
  for (const [i, chain] of chainIds(diffIds).entries()) {
    await storeLayer(files, names[i]!, diffIds[i]!, parent, options);
    parent = chain;
  }
}

/**
 * Makes sure a layer is in the layer store on `parent` (streamed) or its
 * uncompressed tar in the content store under its diff ID. Compressed layer
 * blobs (OCI layouts often have gzip) are inflated and verified against the
 * diff ID.
 */
async function storeLayer(files: ArchiveFiles, name: string, diffId: Digest, parent: Digest | null, options: LoadOptions): Promise<void> {
  const { content } = files;
  const streamed = files.streamer.streamed(files.resolve(name).name);
  if (streamed) {
    await files.streamer.adopt(content, name, streamed, diffId, parent);
    return loaded(options, diffId, streamed.tarSize);
  }
  const { digest, size } = await files.store(name);
  if (digest !== diffId) {
    if (await content.has(diffId)) return;
    const { stream, compression } = await decompress(content.open(digest));
    if (compression === 'none') throw invalid(`invalid archive: layer ${name} has digest ${digest}, but the config says ${diffId}`);
    await content.write(stream, diffId).catch((err) => {
      throw invalid(`invalid archive: layer ${name} does not match diff ID ${diffId}`, err);
    });
  }
  loaded(options, diffId, size);
}

function loaded(options: LoadOptions, diffId: Digest, size: number): void {
  if (!options.quiet) options.progress({ status: 'Loading layer', progressDetail: { current: size, total: size }, id: shortId(diffId) });
}

async function loadConfig(files: ArchiveFiles, name: string, expected?: Digest): Promise<{ bytes: Buffer; config: ImageConfig }> {
  const bytes = await files.bytes(name);
  const digest = sha256(bytes);
  if (expected && digest !== expected) throw invalid(`invalid archive: config ${name} has digest ${digest}, expected ${expected}`);
  const config = parseJson<ImageConfig>(bytes, name);
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string' && isDigest(d))) {
    throw invalid(`invalid archive: config ${name} has no valid rootfs.diff_ids`);
  }
  return { bytes, config };
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

async function loadDockerManifest(files: ArchiveFiles, options: LoadOptions): Promise<void> {
  const manifest = await files.json<DockerManifestEntry[]>('manifest.json');
  if (!Array.isArray(manifest)) throw invalid('invalid archive: manifest.json is not a list');
  for (const item of manifest) {
    if (typeof item?.Config !== 'string' || !Array.isArray(item.Layers)) throw invalid('invalid archive: manifest.json entry lacks Config or Layers');
    const tags = (item.RepoTags ?? []).map((tag) => parseTagged(tag));
    const { bytes, config } = await loadConfig(files, item.Config);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== item.Layers.length) {
      throw invalid(`invalid archive: ${item.Config} lists ${diffIds.length} layers but manifest.json has ${item.Layers.length}`);
    }
    await storeLayers(files, item.Layers, diffIds, options);
    await options.commit(bytes, tags);
  }
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

async function loadOciLayout(files: ArchiveFiles, options: LoadOptions): Promise<void> {
  const index = await files.json<{ manifests?: Descriptor[] }>('index.json');
  if (!Array.isArray(index.manifests)) throw invalid('invalid archive: index.json has no manifests');
  // One image may be named several times; commit it once with all its names.
  const byManifest = new Map<string, Reference[]>();
  for (const descriptor of index.manifests) {
    const manifest = await resolveManifest(files, descriptor);
    const tags = byManifest.get(manifest) ?? [];
    const name = imageName(descriptor.annotations);
    if (name) tags.push(name);
    byManifest.set(manifest, tags);
  }
  for (const [manifestDigest, tags] of byManifest) {
    const manifest = await files.json<{ config?: Descriptor; layers?: Descriptor[] }>(blobName(manifestDigest));
    if (!manifest.config || !Array.isArray(manifest.layers)) throw invalid(`invalid archive: manifest ${manifestDigest} lacks config or layers`);
    const { bytes, config } = await loadConfig(files, blobName(manifest.config.digest), manifest.config.digest as Digest);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) throw invalid(`invalid archive: manifest ${manifestDigest} and its config disagree on the number of layers`);
    await storeLayers(files, manifest.layers.map((layer) => blobName(layer.digest)), diffIds, options);
    await options.commit(bytes, tags);
  }
}

/** Follows an index (multi-platform) down to the manifest for this host's platform. */
async function resolveManifest(files: ArchiveFiles, descriptor: Descriptor, depth = 0): Promise<string> {
  if (depth > 4) throw invalid('invalid archive: indexes nested too deeply');
  await verifyBlob(files, descriptor.digest);
  if (!INDEX_TYPES.includes(descriptor.mediaType ?? '')) return descriptor.digest;
  const index = await files.json<{ manifests?: Descriptor[] }>(blobName(descriptor.digest));
  const arch = hostArchitecture();
  const match = (index.manifests ?? []).find((m) => (m.platform?.os ?? 'linux') === 'linux' && (m.platform?.architecture ?? arch) === arch);
  if (!match) throw invalid(`invalid archive: no image for linux/${arch} in index ${descriptor.digest}`);
  return resolveManifest(files, match, depth + 1);
}

async function verifyBlob(files: ArchiveFiles, digest: string): Promise<void> {
  const bytes = await files.bytes(blobName(digest));
  if (sha256(bytes) !== digest) throw invalid(`invalid archive: blob ${digest} does not match its digest`);
}

function blobName(digest: string): string {
  if (!isDigest(digest)) throw invalid(`invalid archive: unsupported digest ${JSON.stringify(digest)}`);
  return `blobs/sha256/${digest.slice(7)}`;
}

/** The image's name from OCI annotations: containerd's full name, else a ref.name that is a full reference. */
function imageName(annotations: Record<string, string> | undefined): Reference | undefined {
  const full = annotations?.['io.containerd.image.name'];
  if (full) return parseTagged(full);
  const refName = annotations?.['org.opencontainers.image.ref.name'];
  if (refName && /[:/]/.test(refName)) {
    try {
      return parseTagged(refName);
    } catch {
      return undefined; // a bare tag such as "latest" names no repository
    }
  }
  return undefined;
}

function parseTagged(name: string): Reference {
  const ref = parseNormalizedNamed(name);
  return ref.tag === undefined && ref.digest === undefined ? withDefaultTag(ref) : ref;
}
