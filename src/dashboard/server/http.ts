/**
 * Small HTTP helpers for berth's web consoles: a router with `:param`
 * segments, JSON in and out, and the mapping of EngineError kinds to
 * statuses. Nothing here knows about the dashboard.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, invalid, type ErrorKind } from '../../lib/errors.js';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export interface Context<S> {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  state: S;
}

export type Handler<S> = (ctx: Context<S>) => Promise<void> | void;

interface Route<S> {
  method: string;
  segments: string[];
  handler: Handler<S>;
}

export class Router<S> {
  private readonly routes: Route<S>[] = [];

  on(method: string, pattern: string, handler: Handler<S>): this {
    this.routes.push({ method, segments: pattern.split('/'), handler });
    return this;
  }

  /** The handler and path parameters for a request; a 405 when only the method is wrong; undefined when no path matches. */
  match(method: string, path: string): { handler: Handler<S>; params: Record<string, string> } | undefined {
    const parts = path.split('/');
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      pathMatched = true;
    }
    if (pathMatched) throw new HttpError(405, `method ${method} not allowed here`);
    return undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) {
      if (parts[i] === '') return undefined;
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i]!);
      } catch {
        return undefined;
      }
    } else if (p !== parts[i]) {
      return undefined;
    }
  }
  return params;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/**
 * The request's JSON body. Only application/json is accepted: a cross-site
 * HTML form cannot send that type without a CORS preflight, which we never
 * grant.
 */
export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'expected Content-Type: application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw err instanceof EngineError ? err : invalid(`invalid JSON: ${(err as Error).message}`);
  }
}

const STATUS: Record<ErrorKind, number> = {
  notFound: 404, conflict: 409, invalid: 400, forbidden: 403, unavailable: 502, notModified: 304, unauthorized: 401, notImplemented: 501, internal: 500,
};

/** Status and message for anything a handler threw. */
export function errorResponse(err: unknown): { status: number; message: string; headers: Record<string, string> } {
  if (err instanceof HttpError) return { status: err.status, message: err.message, headers: err.headers };
  if (err instanceof EngineError) return { status: STATUS[err.kind], message: err.message, headers: {} };
  return { status: 500, message: err instanceof Error ? err.message : String(err), headers: {} };
}

/** Whether the request's Origin (when the browser sends one) is this server itself: refuses cross-site requests and WebSockets. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The client's address, for throttling (no proxy headers are trusted). */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}
