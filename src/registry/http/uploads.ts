/**
 * Blob uploads: POST (start, monolithic with ?digest=, or cross-repository
 * mount), PATCH (chunks, in order), PUT (close with ?digest=), GET (status)
 * and DELETE (cancel) on the upload's location.
 */
import type { Digest } from '../../lib/digest.js';
import { registryError } from '../errors.js';
import { checkDigest, checkRepositoryName } from '../names.js';
import type { ChunkInfo, UploadStatus } from '../storage/uploads.js';
import { contentLength, hasBody, sendEmpty, type Context } from './context.js';

export async function startUpload(ctx: Context): Promise<void> {
  const { query, registry, name } = ctx;
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount !== null && from !== null) {
    const digest = checkDigest(mount);
    if (await registry.mountBlob(name, checkRepositoryName(from), digest)) return created(ctx, digest);
  }
  const digestParam = query.get('digest');
  const upload = await registry.startUpload(name);
  if (digestParam !== null) {
    // Monolithic upload in one POST.
    const digest = checkDigest(digestParam);
    await registry.commitUpload(name, upload.id, digest, ctx.req, chunkOf(ctx));
    return created(ctx, digest);
  }
  accepted(ctx, upload, 202);
}

export async function patchUpload(ctx: Context): Promise<void> {
  const status = await ctx.registry.uploads.append(ctx.name, ctx.params[0]!, ctx.req, chunkOf(ctx));
  accepted(ctx, status, 202);
}

export async function putUpload(ctx: Context): Promise<void> {
  const digest = checkDigest(ctx.query.get('digest'));
  const body = hasBody(ctx.req) ? ctx.req : undefined;
  await ctx.registry.commitUpload(ctx.name, ctx.params[0]!, digest, body, chunkOf(ctx));
  created(ctx, digest);
}

export async function uploadStatus(ctx: Context): Promise<void> {
  accepted(ctx, await ctx.registry.uploads.status(ctx.name, ctx.params[0]!), 204);
}

export async function cancelUpload(ctx: Context): Promise<void> {
  await ctx.registry.uploads.cancel(ctx.name, ctx.params[0]!);
  sendEmpty(ctx.res, 204);
}

function uploadLocation(name: string, id: string): string {
  return `/v2/${name}/blobs/uploads/${id}`;
}

/** 202/204 with where to continue and what has been received ("Range: 0-<last byte>"). */
function accepted(ctx: Context, upload: UploadStatus, status: number): void {
  sendEmpty(ctx.res, status, {
    Location: uploadLocation(ctx.name, upload.id),
    Range: `0-${Math.max(0, upload.size - 1)}`,
    'Docker-Upload-UUID': upload.id,
  });
}

function created(ctx: Context, digest: Digest): void {
  sendEmpty(ctx.res, 201, { Location: `/v2/${ctx.name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

/** Content-Range ("<start>-<end>", inclusive, as the spec writes it) and Content-Length of a chunk. */
function chunkOf(ctx: Context): ChunkInfo {
  const chunk: ChunkInfo = { length: contentLength(ctx.req) };
  const range = ctx.req.headers['content-range'];
  if (range !== undefined) {
    const m = range.match(/^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/);
    if (!m) throw registryError('RANGE_INVALID', `invalid Content-Range: ${JSON.stringify(range)}`);
    chunk.start = Number(m[1]);
    chunk.end = Number(m[2]);
  }
  if (chunk.length !== undefined && !Number.isSafeInteger(chunk.length)) throw registryError('SIZE_INVALID', 'invalid Content-Length');
  return chunk;
}
