/** GET/HEAD/PUT/DELETE /v2/<name>/manifests/<tag-or-digest>. */
import { registryError } from '../errors.js';
import { isIndexMediaType } from '../media-types.js';
import { isTag, lookupManifestReference, parseManifestReference, type ManifestReference } from '../names.js';
import { MAX_MANIFEST_BYTES, type Registry, type StoredManifest } from '../registry.js';
import { readBody, sendEmpty, type Context } from './context.js';

export async function getManifest(ctx: Context): Promise<void> {
  const ref = lookupManifestReference(ctx.params[0]!);
  const accepted = acceptedTypes(ctx.req.headers.accept);
  const manifest = await negotiate(ctx.registry, ctx.name, await ctx.registry.getManifest(ctx.name, ref), accepted);
  ctx.res.writeHead(200, {
    'Content-Type': manifest.mediaType,
    'Content-Length': manifest.bytes.length,
    'Docker-Content-Digest': manifest.digest,
    ETag: `"${manifest.digest}"`,
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : manifest.bytes);
}

export async function putManifest(ctx: Context): Promise<void> {
  const ref = parseManifestReference(ctx.params[0]!);
  const extraTags = ctx.query.getAll('tag');
  const badTag = extraTags.find((t) => !isTag(t));
  if (badTag !== undefined) throw registryError('TAG_INVALID', `invalid tag: ${badTag}`, { tag: badTag });
  if (extraTags.length > 0 && ref.tag !== undefined) throw registryError('MANIFEST_INVALID', 'tag parameters need a push by digest');
  const bytes = await readBody(ctx.req, MAX_MANIFEST_BYTES, 'manifest');
  const manifest = await ctx.registry.putManifest(ctx.name, ref, bytes, ctx.req.headers['content-type'], extraTags);
  const headers: Record<string, string | string[]> = {
    Location: `/v2/${ctx.name}/manifests/${manifest.digest}`,
    'Docker-Content-Digest': manifest.digest,
  };
  if (manifest.subject) headers['OCI-Subject'] = manifest.subject.digest;
  if (extraTags.length > 0) headers['OCI-Tag'] = extraTags;
  ctx.res.writeHead(201, { 'Content-Length': 0, ...headers });
  ctx.res.end();
}

export async function deleteManifest(ctx: Context): Promise<void> {
  ctx.digest = await ctx.registry.deleteManifest(ctx.name, lookupManifestReference(ctx.params[0]!));
  sendEmpty(ctx.res, 202);
}

/** The media types an Accept header names ("*\/*" and absent headers accept anything). */
export function acceptedTypes(header: string | undefined): Set<string> | 'any' {
  if (!header) return 'any';
  const types = new Set(header.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase()).filter(Boolean));
  return types.size === 0 || types.has('*/*') ? 'any' : types;
}

/**
 * Content negotiation as distribution does it: a client that does not accept
 * a stored index or manifest list gets the linux/amd64 image of it (old
 * clients understand only image manifests); a client that accepts neither
 * the stored type nor anything we could send instead gets MANIFEST_UNKNOWN.
 */
async function negotiate(registry: Registry, name: string, stored: StoredManifest, accepted: Set<string> | 'any'): Promise<StoredManifest> {
  if (accepted === 'any' || accepted.has(stored.mediaType)) return stored;
  if (isIndexMediaType(stored.mediaType)) {
    const child = defaultPlatformChild(stored);
    if (child) {
      const manifest = await registry.getManifest(name, child);
      if (accepted.has(manifest.mediaType)) return manifest;
    }
  }
  throw registryError('MANIFEST_UNKNOWN', `manifest is ${stored.mediaType}, which the Accept header does not allow`, { digest: stored.digest });
}

function defaultPlatformChild(stored: StoredManifest): ManifestReference | undefined {
  const doc = JSON.parse(stored.bytes.toString('utf8')) as { manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[] };
  const match = doc.manifests?.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64');
  return match ? parseManifestReference(match.digest) : undefined;
}

