import type { ServerResponse } from 'node:http';
import { toEngineError, type ErrorKind } from '../lib/errors.js';

/** The one place where engine error kinds become HTTP statuses. */
const STATUS: Record<ErrorKind, number> = {
  notFound: 404,
  conflict: 409,
  invalid: 400,
  forbidden: 403,
  unauthorized: 401,
  unavailable: 503,
  notModified: 304,
  notImplemented: 501,
  internal: 500,
};

export function statusOf(err: unknown): number {
  return STATUS[toEngineError(err).kind];
}

/**
 * Writes Docker's error body, `{"message": …}`, unless the response has
 * already started; for clients of API 1.23 and older, `plainText`, Go's
 * http.Error instead: the message and a newline as text/plain.
 */
export function sendError(res: ServerResponse, err: unknown, { plainText = false } = {}): void {
  const engineError = toEngineError(err);
  const status = STATUS[engineError.kind];
  if (res.headersSent) {
    res.destroy(engineError);
    return;
  }
  if (status === 304) {
    res.writeHead(304).end();
    return;
  }
  if (plainText) {
    const text = `${engineError.message}\n`;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const body = `${JSON.stringify({ message: engineError.message })}\n`; // as dockerd's WriteJSON
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
