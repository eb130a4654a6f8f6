/**
 * The route table. Paths are matched raw (not percent-decoded), so a name can
 * never smuggle "/" or ".." past the grammar; repository names are checked
 * with the spec's regex before any handler runs, other captures are decoded
 * and checked by the handlers (digests, tags, upload IDs).
 */
import { RegistryError } from '../errors.js';
import { checkRepositoryName } from '../names.js';
import { deleteBlob, getBlob } from './blobs.js';
import type { Handler } from './context.js';
import { catalog, listTags, referrers, search } from './listings.js';
import { deleteManifest, getManifest, putManifest } from './manifests.js';
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from './uploads.js';

interface Route {
  pattern: RegExp;
  /** Whether the first capture is a repository name. */
  named: boolean;
  methods: Partial<Record<string, Handler>>;
}

const ok: Handler = async (ctx) => {
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
  ctx.res.end('{}');
};

/** Order matters: the more specific endings come before /blobs/<digest>. */
const ROUTES: Route[] = [
  { pattern: /^\/v2\/?$/, named: false, methods: { GET: ok, HEAD: ok } },
  { pattern: /^\/v2\/_catalog$/, named: false, methods: { GET: catalog } },
  { pattern: /^\/v2\/(.+)\/tags\/list$/, named: true, methods: { GET: listTags } },
  { pattern: /^\/v2\/(.+)\/manifests\/([^/]+)$/, named: true, methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest } },
  { pattern: /^\/v2\/(.+)\/blobs\/uploads\/?$/, named: true, methods: { POST: startUpload } },
  { pattern: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, named: true, methods: { GET: uploadStatus, PATCH: patchUpload, PUT: putUpload, DELETE: cancelUpload } },
  { pattern: /^\/v2\/(.+)\/blobs\/([^/]+)$/, named: true, methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob } },
  { pattern: /^\/v2\/(.+)\/referrers\/([^/]+)$/, named: true, methods: { GET: referrers } },
  { pattern: /^\/v1\/search$/, named: false, methods: { GET: search } },
];

export interface Match {
  handler: Handler;
  name: string;
  params: string[];
}

/** The handler for a request; 404 for unknown paths, 405 for a known path with another method. */
export function route(method: string, pathname: string): Match {
  for (const r of ROUTES) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const handler = r.methods[method];
    if (!handler) {
      throw new RegistryError('UNSUPPORTED', `${method} is not allowed here (allowed: ${Object.keys(r.methods).join(', ')})`, { status: 405 });
    }
    const captures = m.slice(1);
    const name = r.named ? checkRepositoryName(captures.shift()!) : '';
    return { handler, name, params: captures.map(decodeParam) };
  }
  throw new RegistryError('UNSUPPORTED', `no such endpoint: ${pathname}`, { status: 404 });
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
