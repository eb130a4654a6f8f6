import { pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import { chainIds, DigestingStream, shortId, type Digest } from '../../lib/digest.js';
import { invalid, notFound } from '../../lib/errors.js';
import { familiarName, familiarString, fullName, nameOnly, normalizedString, parseNormalizedNamed, type Reference } from '../../lib/reference.js';
import type { ContentStore } from '../content/types.js';
import type { EventBus } from '../events/types.js';
import type { ImageService, ProgressSink } from '../images/types.js';
import type { RegistryAccess } from './access.js';
import type { Limiter } from './limiter.js';
import { MediaType, type Descriptor } from './manifest.js';
import type { BlobLocation, BlobLocations } from './metadata.js';
import { ItemProgress } from './progress.js';
import type { Repository } from './repository.js';
import type { AuthConfig } from './types.js';

export interface PushDeps {
  images: ImageService;
  content: ContentStore;
  events: EventBus;
  access: RegistryAccess;
  uploads: Limiter;
  locations: BlobLocations;
}

/** `docker push name[:tag]`: the given tag, or every local tag of the repository. */
export async function pushImage(deps: PushDeps, name: string, tag: string | undefined, options: { auth?: AuthConfig; progress: ProgressSink }): Promise<void> {
  const parsed = parseNormalizedNamed(name);
  if (parsed.digest !== undefined) throw invalid('cannot push a digest reference');
  const repoRef = nameOnly(parsed);
  // As dockerd 20.10, this line comes first: what is then missing is an error in the stream (200), not a 404.
  options.progress({ status: `The push refers to repository [${fullName(repoRef)}]` });
  const tags = tag || parsed.tag ? [tag || parsed.tag!] : await localTags(deps.images, repoRef);
  const images = await Promise.all(tags.map(async (t) => ({ tag: t, image: await deps.images.resolve(normalizedString({ ...repoRef, tag: t })).catch(() => undefined) })));
  const missing = images.find((i) => !i.image);
  // A repository without a local tag is refused before the registry; a missing tag of one that has some, after it.
  if (tags.length === 0 || (missing && (await localTags(deps.images, repoRef)).length === 0)) {
    throw notFound(`An image does not exist locally with the tag: ${familiarName(repoRef)}`);
  }
  await deps.access.withFallback(repoRef.domain, repoRef.path, options.auth, 'pull,push', async (repo) => {
    // Reach the registry before any progress, so a fallback to the next endpoint does not repeat it.
    await repo.ping();
    if (missing) throw notFound(`tag does not exist: ${familiarString({ ...repoRef, tag: missing.tag })}`);
    for (const { tag: t, image } of images) await pushTag(deps, repo, repoRef, t, image!.id, image!.config.rootfs.diff_ids, options.progress);
  }, { mirrors: false });
}

async function localTags(images: ImageService, repoRef: Reference): Promise<string[]> {
  const wanted = fullName(repoRef);
  const tags: string[] = [];
  for (const image of await images.all()) {
    for (const text of image.repoTags) {
      const ref = parseNormalizedNamed(text);
      if (fullName(ref) === wanted && ref.tag !== undefined) tags.push(ref.tag);
    }
  }
  return tags.sort();
}

async function pushTag(deps: PushDeps, repo: Repository, repoRef: Reference, tag: string, id: Digest, diffIds: Digest[], sink: ProgressSink): Promise<void> {
  const items = new Map(diffIds.map((d) => [d, new ItemProgress(sink, shortId(d))]));
  for (const item of [...items.values()].reverse()) item.status('Preparing');
  const pushed = new Map<Digest, Promise<Descriptor>>();
  const chains = chainIds(diffIds);
  for (const [i, diffId] of diffIds.entries()) {
    const item = items.get(diffId)!;
    const layer = { chain: chains[i]!, diffId };
    if (!pushed.has(diffId)) pushed.set(diffId, deps.uploads.run(() => pushLayer(deps, repo, layer, item), () => item.status('Waiting')));
  }
  for (const p of pushed.values()) p.catch(() => undefined);
  const layers = await Promise.all(diffIds.map((d) => pushed.get(d)!));
  const configBytes = await deps.content.read(id);
  if (!(await repo.hasBlob(id))) await repo.uploadBytes(configBytes, id);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, size: configBytes.length, digest: id },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  // dockerd indents manifests by three spaces; the bytes are what the digest covers.
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const digest = await repo.putManifest(tag, bytes, MediaType.dockerManifest);
  sink({ status: `${tag}: digest: ${digest} size: ${bytes.length}` });
  sink({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: bytes.length } });
  await deps.images.addImage(configBytes, [`${fullName(repoRef)}@${digest}`]);
  deps.events.publish('image', 'push', familiarString({ ...repoRef, tag }), { name: familiarName(repoRef) });
}

/**
 * One layer: if this registry is known to hold it (from a pull or an earlier
 * push) it is checked with HEAD, or mounted from the repository that has it;
 * only otherwise is it compressed and uploaded.
 */
async function pushLayer(deps: PushDeps, repo: Repository, layer: { chain: Digest; diffId: Digest }, item: ItemProgress): Promise<Descriptor> {
  const { diffId } = layer;
  const host = repo.endpoint.url.host;
  const known = (await deps.locations.get(diffId)).filter((l) => l.registry === host);
  known.sort((a, b) => Number(b.repository === repo.path) - Number(a.repository === repo.path));
  let session: URL | undefined;
  for (const location of known) {
    if (await repo.hasBlob(location.digest)) {
      item.status('Layer already exists');
      return remember(deps, repo, diffId, location);
    }
    if (location.repository !== repo.path && session === undefined) {
      const mount = await repo.mount(location.digest, location.repository);
      if (mount.mounted) {
        item.status(`Mounted from ${location.repository}`);
        return remember(deps, repo, diffId, location);
      }
      // The registry could not mount it and opened an upload session instead: use that one.
      session = mount.upload;
    }
  }
  return upload(deps, repo, layer, item, session ?? (await repo.startUpload()));
}

async function upload(deps: PushDeps, repo: Repository, layer: { chain: Digest; diffId: Digest }, item: ItemProgress, session: URL): Promise<Descriptor> {
  const { diffId } = layer;
  const { stream, size } = await deps.images.layerTar(layer.chain, diffId);
  const hasher = new DigestingStream();
  const body = pipeline(stream, item.counter('Pushing', size), createGzip(), hasher, () => undefined);
  await repo.upload(session, body, () => hasher.digest());
  item.status('Pushed');
  const location: BlobLocation = { registry: repo.endpoint.url.host, repository: repo.path, digest: hasher.digest(), mediaType: MediaType.dockerLayerGzip, size: hasher.bytes };
  return remember(deps, repo, diffId, location);
}

async function remember(deps: PushDeps, repo: Repository, diffId: Digest, from: BlobLocation): Promise<Descriptor> {
  await deps.locations.add(diffId, { ...from, repository: repo.path });
  return { mediaType: from.mediaType, digest: from.digest, size: from.size };
}
