import { pipeline } from 'node:stream';
import { chainIds, shortId, type Digest } from '../../lib/digest.js';
import { invalid, isEngineError } from '../../lib/errors.js';
import { decompress, parseJson } from '../../lib/compression.js';
import { familiarName, familiarString, fullName, normalizedString, parseNormalizedNamed, type Reference } from '../../lib/reference.js';
import type { ContentStore } from '../content/types.js';
import type { EventBus } from '../events/types.js';
import type { ImageConfig, ImageService, ProgressSink } from '../images/types.js';
import type { LayerStore } from '../layers/types.js';
import type { RegistryAccess } from './access.js';
import { downloadLayer, spoolLayer } from './download.js';
import { translatePullError } from './errors.js';
import type { InFlight } from './inflight.js';
import type { Limiter } from './limiter.js';
import {
  formatPlatform, MAX_CONFIG_BYTES, parseManifest, parsePlatform, platformMatches, selectPlatform, type ImageManifest, type Platform,
} from './manifest.js';
import type { BlobLocations } from './metadata.js';
import { ItemProgress } from './progress.js';
import type { Repository } from './repository.js';
import type { AuthConfig } from './types.js';

export interface PullDeps {
  images: ImageService;
  content: ContentStore;
  layers: LayerStore;
  events: EventBus;
  access: RegistryAccess;
  downloads: Limiter;
  /** Layers being fetched and unpacked, shared by concurrent pulls (by chain ID). */
  unpacking: InFlight<Digest>;
  locations: BlobLocations;
}

interface PullRequest {
  ref: Reference;
  platform: Platform;
  /** The user named a platform: a single-platform image of another one is then an error. */
  explicitPlatform: boolean;
  auth?: AuthConfig;
  progress: ProgressSink;
}

interface Pulled {
  id: Digest;
  manifestDigest: Digest;
}

/** `docker pull -a`: every tag of the repository, then one closing status line. */
export async function pullAllTags(deps: PullDeps, name: string, options: { platform?: string; auth?: AuthConfig; progress: ProgressSink }): Promise<void> {
  const repoRef = parseNormalizedNamed(name);
  if (repoRef.tag !== undefined || repoRef.digest !== undefined) throw invalid("tag can't be used with --all-tags/-a");
  const tags = await deps.access.withFallback(repoRef.domain, repoRef.path, options.auth, 'pull', (repo) => repo.tags())
    .catch((err) => { throw translatePullError(err, repoRef); });
  if (tags.length === 0) throw invalid(`no tags found for ${familiarName(repoRef)}`);
  let updated = false;
  for (const tag of tags) {
    const result = await pullTag(deps, request({ ...repoRef, tag }, options));
    updated ||= result.updated;
  }
  options.progress({ status: `Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarName(repoRef)}` });
}

/** `docker pull x[:tag|@digest]`. */
export async function pullImage(deps: PullDeps, ref: Reference, options: { platform?: string; auth?: AuthConfig; progress: ProgressSink }): Promise<Digest> {
  const result = await pullTag(deps, request(ref, options));
  options.progress({ status: `Status: ${result.updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(ref)}` });
  return result.id;
}

function request(ref: Reference, options: { platform?: string; auth?: AuthConfig; progress: ProgressSink }): PullRequest {
  return { ref, platform: parsePlatform(options.platform), explicitPlatform: !!options.platform, auth: options.auth, progress: options.progress };
}

async function pullTag(deps: PullDeps, req: PullRequest): Promise<{ id: Digest; updated: boolean }> {
  const { ref, progress } = req;
  const before = await deps.images.resolve(normalizedString(ref)).then((i) => i.id, () => undefined);
  let pulled: Pulled;
  try {
    pulled = await deps.access.withFallback(ref.domain, ref.path, req.auth, 'pull', (repo) => pullFrom(deps, repo, req));
  } catch (err) {
    throw translatePullError(err, ref);
  }
  progress({ status: `Digest: ${pulled.manifestDigest}` });
  // As dockerd: the actor is the reference pulled, its name the repository.
  deps.events.publish('image', 'pull', familiarString(ref), { name: familiarName(ref) });
  return { id: pulled.id, updated: before !== pulled.id };
}

/** One attempt at one endpoint: manifest (through an index), config, layers, then the image record. */
async function pullFrom(deps: PullDeps, repo: Repository, req: PullRequest): Promise<Pulled> {
  const { ref } = req;
  const top = await repo.manifest(ref.digest ?? ref.tag!);
  // As dockerd: only once the manifest is found does progress start (so "not found" is still an HTTP 404).
  req.progress({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag });
  let parsed = parseManifest(top.bytes, top.mediaType, familiarString(ref));
  if (parsed.kind === 'index') {
    const chosen = selectPlatform(parsed, req.platform);
    const inner = await repo.manifest(chosen.digest);
    parsed = parseManifest(inner.bytes, inner.mediaType, `${familiarString(ref)}@${chosen.digest}`);
    if (parsed.kind === 'index') throw invalid(`${familiarString(ref)}: an index inside an index is not supported`);
  }
  const manifest: ImageManifest = parsed;
  const configBytes = await repo.smallBlob(manifest.config.digest, MAX_CONFIG_BYTES);
  const config = checkConfig(configBytes, manifest, req);
  // As dockerd 20.10: an image already here is not fetched again, and no layer shows ("Already exists").
  const present = await deps.images.resolve(manifest.config.digest).then(() => true, () => false);
  if (!present) await fetchLayers(deps, repo, manifest, config.rootfs.diff_ids, req.progress);
  const references = [`${fullName(ref)}@${top.digest}`];
  if (ref.digest === undefined) references.push(normalizedString(ref));
  const { id } = await deps.images.addImage(configBytes, references);
  await rememberLocations(deps, repo, manifest, config.rootfs.diff_ids);
  return { id, manifestDigest: top.digest };
}

function checkConfig(bytes: Buffer, manifest: ImageManifest, req: PullRequest): ImageConfig {
  const config = parseJson<ImageConfig>(bytes, `image config ${manifest.config.digest}`);
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
    throw invalid(`invalid image config ${manifest.config.digest}: ${manifest.layers.length} layers in the manifest, ${Array.isArray(diffIds) ? diffIds.length : 'no'} diff IDs in the config`);
  }
  const actual: Platform = { os: config.os ?? 'linux', architecture: config.architecture ?? '', ...(config.variant ? { variant: config.variant } : {}) };
  if (req.explicitPlatform && !platformMatches(req.platform, actual)) {
    throw invalid(`image with reference ${familiarString(req.ref)} was found but does not match the specified platform: wanted ${formatPlatform(req.platform)}, actual: ${formatPlatform(actual)}`);
  }
  if (actual.os !== 'linux') throw invalid(`image operating system "${actual.os}" cannot be used on this platform`);
  return config;
}

/**
 * Layers not in the layer store are fetched in parallel (bounded by
 * max-concurrent-downloads), each in one pass: download, verify, inflate and
 * extract while the diff ID is hashed, with nothing in between on disk. A
 * layer extracts on top of the one below it, so a layer whose parent is still
 * coming is fetched compressed into the content store meanwhile (verified),
 * and extracted from there when its turn comes. If anything fails, what is
 * verified stays for the next try: the layers made (content-addressed by
 * chain ID, as the tars of verified downloads were before) and spooled blobs.
 */
async function fetchLayers(deps: PullDeps, repo: Repository, manifest: ImageManifest, diffIds: Digest[], sink: ProgressSink): Promise<void> {
  const chains = chainIds(diffIds);
  const present = await Promise.all(chains.map(async (chain) => (await deps.layers.get(chain)) !== null));
  const items = manifest.layers.map((layer) => new ItemProgress(sink, shortId(layer.digest)));
  items.forEach((item, i) => item.status(present[i] ? 'Already exists' : 'Pulling fs layer'));
  const done: Promise<void>[] = [];
  const settled = new Set<number>();
  for (const [i, chain] of chains.entries()) {
    const below = i === 0 ? Promise.resolve() : done[i - 1]!;
    const layer: LayerJob = {
      chain, parent: i === 0 ? null : chains[i - 1]!, diffId: diffIds[i]!, descriptor: manifest.layers[i]!, item: items[i]!,
      parentReady: () => i === 0 || settled.has(i - 1), below,
    };
    const job = present[i] ? Promise.resolve() : deps.unpacking.run(chain, () => fetchLayer(deps, repo, layer)).then(() => layer.item.status('Pull complete'));
    const finished = Promise.all([below, job]).then(() => void settled.add(i));
    finished.catch(() => undefined); // awaited below; a later layer's failure must not go unhandled
    done.push(finished);
  }
  try {
    await Promise.all(done);
  } catch (err) {
    await Promise.allSettled(done); // no layer is still being written when the pull answers
    throw err;
  }
}

interface LayerJob {
  chain: Digest;
  parent: Digest | null;
  diffId: Digest;
  descriptor: ImageManifest['layers'][number];
  item: ItemProgress;
  /** The layer below is in the store now (so this one can stream straight in). */
  parentReady(): boolean;
  /** Settles when the layer below is in the store (or failed). */
  below: Promise<unknown>;
}

async function fetchLayer(deps: PullDeps, repo: Repository, job: LayerJob): Promise<void> {
  const { descriptor, item } = job;
  if (await deps.layers.get(job.chain)) return;
  const spooled = await deps.content.has(descriptor.digest);
  if (!spooled) {
    const direct = await deps.downloads.run(async () => {
      if (!job.parentReady()) {
        await spoolLayer(repo, deps.content, descriptor, item);
        return false;
      }
      await downloadLayer(repo, descriptor, job.diffId, item, (tar) => deps.layers.create(job.parent, tar, job.diffId));
      return true;
    }, () => item.status('Waiting'));
    if (direct) return;
  } else {
    item.status('Download complete');
  }
  await job.below;
  await unpackSpooled(deps, job);
}

/** Extracts a layer from its compressed blob in the content store, then drops the blob. */
async function unpackSpooled(deps: PullDeps, job: LayerJob): Promise<void> {
  const { descriptor } = job;
  const size = await deps.content.size(descriptor.digest);
  // pipeline() carries a read error on to the layer store instead of leaving it waiting.
  const blob = pipeline(deps.content.open(descriptor.digest), job.item.counter('Extracting', size), () => undefined);
  const { stream } = await decompress(blob);
  try {
    await deps.layers.create(job.parent, stream, job.diffId);
  } catch (err) {
    if (isEngineError(err, 'invalid') && /diff ID mismatch/.test(err.message)) {
      await deps.content.delete(descriptor.digest); // a bad blob is not worth keeping for a retry
      throw invalid(`layer ${descriptor.digest} does not unpack to diff ID ${job.diffId} named in the image config: ${err.message}`);
    }
    throw err;
  }
  await deps.content.delete(descriptor.digest);
}

/** Remembers where each layer lives in its compressed form, for pushes (HEAD, cross-repository mounts). */
async function rememberLocations(deps: PullDeps, repo: Repository, manifest: ImageManifest, diffIds: Digest[]): Promise<void> {
  const registry = repo.endpoint.mirror ? undefined : repo.endpoint.url.host;
  if (!registry) return;
  await Promise.all(manifest.layers.map((layer, i) => deps.locations.add(diffIds[i]!, {
    registry, repository: repo.path, digest: layer.digest, mediaType: layer.mediaType, size: layer.size,
  })));
}
