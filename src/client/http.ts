/**
 * Reading response bodies with caps, and mapping HTTP errors to ClientError.
 * The caps keep a confused or hostile daemon from making the CLI buffer
 * gigabytes: JSON answers are bounded, anything big is streamed.
 */
import type { Readable } from 'node:stream';
import { EngineError, type ErrorKind } from '../lib/errors.js';
import type { RawResponse } from './transport.js';

/** Largest JSON response we buffer (an image list of thousands of images fits). */
export const MAX_JSON_BODY = 64 * 1024 * 1024;
/** Largest error body we read; daemons send a one-line `{"message": …}`. */
export const MAX_ERROR_BODY = 1024 * 1024;

/** An HTTP error answered by the daemon, carrying its status and `message`. */
export class ClientError extends EngineError {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(kindForStatus(statusCode), message);
    this.name = 'ClientError';
    this.statusCode = statusCode;
  }
}

export function kindForStatus(status: number): ErrorKind {
  switch (status) {
    case 304:
      return 'notModified';
    case 400:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 501:
      return 'notImplemented';
    case 503:
      return 'unavailable';
    default:
      return status >= 400 && status < 500 ? 'invalid' : 'internal';
  }
}

export async function readBody(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buf.length;
    if (total > limit) {
      stream.destroy();
      throw new EngineError('internal', `response body exceeds ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Builds the ClientError for a non-2xx response, using the daemon's `message` when it sent JSON. */
export async function errorFromResponse(res: RawResponse): Promise<ClientError> {
  let text = '';
  try {
    text = (await readBody(res.body, MAX_ERROR_BODY)).toString('utf8');
  } catch {
    text = '';
  }
  let message = text.trim();
  if ((res.headers['content-type'] ?? '').includes('json') || message.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  if (!message) message = `request returned ${res.statusCode} ${statusText(res.statusCode)}`;
  return new ClientError(res.statusCode, message);
}

function statusText(status: number): string {
  const texts: Record<number, string> = { 404: 'Not Found', 500: 'Internal Server Error', 400: 'Bad Request' };
  return texts[status] ?? '';
}
