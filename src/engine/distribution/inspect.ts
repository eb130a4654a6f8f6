import { EngineError } from '../../lib/errors.js';
import { parseAnyReference, pullReference } from '../../lib/reference.js';
import { parseJson } from '../../lib/compression.js';
import type { RegistryAccess } from './access.js';
import { MAX_CONFIG_BYTES, MediaType } from './manifest.js';
import type { Repository } from './repository.js';
import type { AuthConfig, DistributionInspect, InspectPlatform } from './types.js';

/**
 * GET /distribution/{name}/json, as dockerd answers it: the descriptor of
 * the manifest the reference names at its registry (mirrors first), and the
 * platforms it serves: every entry of a manifest list or index, or the
 * os/architecture of a single image's config.
 */
export async function inspectDistribution(access: RegistryAccess, name: string, auth: AuthConfig | undefined): Promise<DistributionInspect> {
  const any = parseAnyReference(name);
  // dockerd's own words, and an unknown error (500) as there: an image ID names no repository.
  if (any.kind === 'id') throw new EngineError('internal', 'no manifest found for full image ID');
  const ref = pullReference(any.ref);
  return access.withFallback(ref.domain, ref.path, auth, 'pull', (repo) => fetch(repo, ref.digest ?? ref.tag!));
}

async function fetch(repo: Repository, reference: string): Promise<DistributionInspect> {
  const manifest = await repo.manifest(reference);
  const doc = parseJson<{ mediaType?: string; manifests?: { platform?: InspectPlatform }[]; config?: { digest?: string } }>(manifest.bytes, `manifest ${manifest.digest}`);
  const mediaType = manifest.mediaType || doc.mediaType || '';
  return {
    Descriptor: { mediaType, digest: manifest.digest, size: manifest.bytes.length },
    Platforms: await platforms(repo, mediaType, doc),
  };
}

async function platforms(repo: Repository, mediaType: string, doc: { manifests?: { platform?: InspectPlatform }[]; config?: { digest?: string } }): Promise<InspectPlatform[] | null> {
  if (mediaType === MediaType.dockerList || mediaType === MediaType.ociIndex) {
    return (doc.manifests ?? []).map((m) => platformJson(m.platform ?? {}));
  }
  if ((mediaType === MediaType.dockerManifest || mediaType === MediaType.ociManifest) && typeof doc.config?.digest === 'string') {
    // As dockerd: a config that cannot be read or says nothing of its platform leaves the list empty.
    const config = await repo.smallBlob(doc.config.digest as `sha256:${string}`, MAX_CONFIG_BYTES)
      .then((bytes) => parseJson<Partial<InspectPlatform>>(bytes, 'image config'), () => null);
    if (config && (config.os || config.architecture)) return [platformJson(config)];
  }
  return null;
}

/** The OCI platform as Go marshals it: architecture and os always, the rest only when set. */
function platformJson(p: Partial<InspectPlatform>): InspectPlatform {
  const out: InspectPlatform = { architecture: p.architecture ?? '', os: p.os ?? '' };
  if (p['os.version']) out['os.version'] = p['os.version'];
  if (p['os.features']?.length) out['os.features'] = p['os.features'];
  if (p.variant) out.variant = p.variant;
  return out;
}
