/** GET/HEAD/DELETE /v2/<name>/blobs/<digest>, with single byte ranges for resumable pulls. */
import { checkDigest } from '../names.js';
import { sendEmpty, type Context } from './context.js';

export async function getBlob(ctx: Context): Promise<void> {
  const digest = checkDigest(ctx.params[0]);
  const size = await ctx.registry.blobSize(ctx.name, digest);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'max-age=31536000',
  };
  const range = parseRange(ctx.req.headers.range, size);
  if (range === 'unsatisfiable') {
    sendEmpty(ctx.res, 416, { 'Content-Range': `bytes */${size}` });
    return;
  }
  if (ctx.req.method === 'HEAD' || size === 0) {
    ctx.res.writeHead(200, { ...headers, 'Content-Length': size });
    ctx.res.end();
    return;
  }
  if (range) {
    ctx.res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` });
  } else {
    ctx.res.writeHead(200, { ...headers, 'Content-Length': size });
  }
  await ctx.registry.blobs.send(digest, range?.start ?? 0, range?.end ?? size - 1, ctx.res);
}

export async function deleteBlob(ctx: Context): Promise<void> {
  const digest = checkDigest(ctx.params[0]);
  await ctx.registry.deleteBlob(ctx.name, digest);
  sendEmpty(ctx.res, 202, { 'Docker-Content-Digest': digest });
}

/**
 * One "bytes=a-b", "bytes=a-" or "bytes=-n" range (RFC 9110). Several ranges
 * or other units are ignored (the whole blob is sent, which the RFC allows).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

