/** What every handler gets, and the small request/response helpers they share. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { registryError, errorBody, RegistryError } from '../errors.js';
import type { Registry } from '../registry.js';

export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path exactly as sent (not normalised: "/v2/../x" must reach the name check, not become "/x"). */
  path: string;
  query: URLSearchParams;
  registry: Registry;
  /** The repository name from the path (already validated), or "" for routes without one. */
  name: string;
  /** The route's other captures (a digest, a tag, an upload ID), percent-decoded. */
  params: string[];
  /** The client's address, taken at the start (the socket may be gone when the access log is written). */
  remote: string;
  /** The authenticated user, for the access log. */
  user?: string;
  /** The manifest a request pushed, pulled or deleted, for what follows it (webhooks). */
  digest?: string;
  /** With --console: which repositories the caller may see in listings (all when unset). */
  mayList?: (repository: string) => boolean;
}

export type Handler = (ctx: Context) => Promise<void>;

export const API_VERSION_HEADER = 'Docker-Distribution-API-Version';

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, ...headers });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

export function sendError(res: ServerResponse, err: RegistryError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  sendJson(res, err.status, errorBody(err), headers);
}

/** A non-negative integer query parameter (n), or undefined when absent. */
export function countParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw registryError('PAGINATION_NUMBER_INVALID', `invalid ${key}: ${JSON.stringify(raw)}`, { [key]: raw });
  return Number(raw);
}

/** Content-Length as a number, or undefined when the request is chunked. */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  return raw === undefined ? undefined : Number(raw);
}

/** True when the request carries a body (a length above zero, or chunked encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const length = contentLength(req);
  return length === undefined ? req.headers['transfer-encoding'] !== undefined : length > 0;
}

/** Reads a whole body into memory, answering 413 past `limit` (manifests). */
export async function readBody(req: Readable & { headers?: IncomingMessage['headers'] }, limit: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers?.['content-length'] ?? 0);
  if (declared > 2 * limit) throw tooLarge(what, limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    // Past the limit, keep reading (and dropping) a little longer so that a
    // client still sending gets the 413 rather than a broken pipe.
    if (total > 2 * limit) throw tooLarge(what, limit);
    if (total <= limit) chunks.push(chunk as Buffer);
  }
  if (total > limit) throw tooLarge(what, limit);
  return Buffer.concat(chunks);
}

function tooLarge(what: string, limit: number): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `${what} is larger than ${limit} bytes`, { status: 413, detail: { limit } });
}

/** Link header for the next page of a listing (RFC 5988, rel="next"). */
export function nextLink(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;
}
