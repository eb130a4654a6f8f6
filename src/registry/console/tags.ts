/**
 * The console's view of a repository's tags, under the management API:
 *
 *   GET    /api/v1/projects/{p}/repositories/{r}/tags         tags with digest, size, platforms, push and last pull time
 *   DELETE /api/v1/projects/{p}/repositories/{r}/tags/{tag}   (the caller needs delete on the project)
 *   DELETE /api/v1/projects/{p}/repositories/{r}              the whole repository (likewise)
 *
 * {r} is the name inside the project, percent-encoded when it has slashes
 * (a%2Fb for p/a/b). The browser has a session cookie, not a registry token,
 * so these stand in for /v2 reads with the same permission checks: answers
 * carry `can_delete` so the console shows delete buttons only where allowed.
 */
import { stat } from 'node:fs/promises';
import { EngineError, notFound } from '../../lib/errors.js';
import { sendEmpty, sendJson } from '../http/context.js';
import { parseManifest, type Descriptor } from '../manifest.js';
import { checkRepositoryName, lookupManifestReference } from '../names.js';
import { maySee, projectActions } from '../auth/permissions.js';
import type { ApiRequest } from '../api/http.js';
import type { Registry } from '../registry.js';
import type { Digest } from '../../lib/digest.js';

export interface TagView {
  name: string;
  digest: string;
  media_type: string;
  /** Bytes of the manifest, its config and layers (for an index: of the manifests it lists). */
  size: number;
  platforms: string[];
  /** Seconds since the epoch when the tag was last set. */
  pushed: number;
  /** Seconds since the epoch when its manifest was last pulled from this repository; null if never. */
  pulled: number | null;
}

/** The repository named by the path, after checking the caller may pull from its project. */
function repository(req: ApiRequest, action: 'pull' | 'delete'): string {
  const [projectName, inner] = req.params as [string, string];
  const project = req.auth.accounts.project(projectName);
  if (!project || !maySee(req.who, projectName, project)) throw notFound(`no such project: ${projectName}`);
  const actions = projectActions(req.who, projectName, project);
  if (!actions.has(action)) throw new EngineError('forbidden', `you may not ${action} in project ${projectName}`);
  return checkRepositoryName(`${projectName}/${inner}`);
}

export async function listTags(req: ApiRequest): Promise<void> {
  const name = repository(req, 'pull');
  const registry = req.ctx.registry;
  if (!(await registry.repos.hasManifests(name))) throw notFound(`no such repository: ${name}`);
  const tags: TagView[] = [];
  for (const [tag, digest] of await registry.repos.tagMap(name)) {
    tags.push({ ...(await tagView(registry, name, tag, digest)), pulled: req.auth.pulls.last(name, digest) ?? null });
  }
  const actions = projectActions(req.who, req.params[0]!, req.auth.accounts.project(req.params[0]!));
  sendJson(req.ctx.res, 200, { repository: name, can_delete: actions.has('delete') && registry.options.deleteEnabled, tags });
}

export async function deleteTag(req: ApiRequest): Promise<void> {
  const name = repository(req, 'delete');
  const ref = lookupManifestReference(req.params[2]!);
  if (ref.tag === undefined) throw new EngineError('invalid', 'name a tag, not a digest');
  const digest = await req.ctx.registry.deleteManifest(name, ref);
  await recordDelete(req, name, ref.tag, digest);
  sendEmpty(req.ctx.res, 204);
}

/** Deletes a repository: each tag (or untagged manifest) that went is audited and reaches webhooks as a delete of its own. */
export async function deleteRepository(req: ApiRequest): Promise<void> {
  const name = repository(req, 'delete');
  const deleted = await req.ctx.registry.deleteRepository(name);
  req.auth.pulls.forget(name);
  for (const d of deleted) await recordDelete(req, name, d.tag ?? d.digest!, d.digest!);
  sendEmpty(req.ctx.res, 204);
}

/** The console's deletes belong in the audit log as much as docker's, and reach webhooks the same way. */
async function recordDelete(req: ApiRequest, name: string, reference: string, digest: Digest): Promise<void> {
  const entry = { operation: 'delete' as const, user: req.ctx.user ?? 'anonymous', repository: name, reference };
  await req.auth.audit.record(entry);
  req.auth.policies?.record({ ...entry, digest, host: req.ctx.req.headers.host ?? '' });
}

async function tagView(registry: Registry, name: string, tag: string, digest: Digest): Promise<Omit<TagView, 'pulled'>> {
  const stored = await registry.getManifest(name, { digest });
  const manifest = parseManifest(stored.bytes, stored.mediaType);
  const listed = manifest.manifests.length > 0 ? manifest.manifests : [...(manifest.config ? [manifest.config] : []), ...manifest.layers];
  const platforms = manifest.config ? await configPlatform(registry, manifest.config) : manifest.manifests.flatMap((m) => (m.platform?.os ? [platformName(m.platform)] : []));
  const pushed = await stat(registry.layout.tag(name, tag)).then((s) => Math.floor(s.mtimeMs / 1000));
  return { name: tag, digest, media_type: stored.mediaType, size: stored.bytes.length + listed.reduce((sum, d) => sum + d.size, 0), platforms, pushed };
}

const IMAGE_CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

function platformName(p: { os?: string; architecture?: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** A single image's platform is in its config (as Harbor shows it); an artifact that is not an image has none. */
async function configPlatform(registry: Registry, config: Descriptor): Promise<string[]> {
  if (!IMAGE_CONFIG_TYPES.has(config.mediaType)) return [];
  try {
    const doc = JSON.parse((await registry.blobs.read(config.digest)).toString('utf8')) as { os?: unknown; architecture?: unknown; variant?: unknown };
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return typeof doc.os === 'string' ? [platformName({ os: doc.os, architecture: str(doc.architecture), variant: str(doc.variant) })] : [];
  } catch {
    // A config the registry cannot read or parse (gc'd, not JSON) has no platform to show.
    return [];
  }
}
