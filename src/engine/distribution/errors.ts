import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { EngineError, type ErrorKind } from '../../lib/errors.js';
import { familiarName, familiarString, type Reference } from '../../lib/reference.js';
import { readBody } from './transport.js';

/** One entry of a registry's error body: {"errors": [{"code": "MANIFEST_UNKNOWN", "message": …}]}. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/**
 * An error answer from a registry. Its message is distribution's errcode
 * text ("manifest unknown: manifest unknown"), which dockerd passes on.
 */
export class RegistryError extends EngineError {
  constructor(kind: ErrorKind, message: string, readonly status: number, readonly entries: RegistryErrorEntry[]) {
    super(kind, message);
  }

  get code(): string | undefined {
    return this.entries[0]?.code;
  }
}

/** Reads a registry's error response into a RegistryError. */
export async function registryError(res: IncomingMessage): Promise<RegistryError> {
  const status = res.statusCode ?? 0;
  const body = await readBody(res, 64 << 10, 'registry error body').catch(() => Buffer.alloc(0));
  const entries = parseEntries(body);
  const message = entries.length > 0
    ? entries.map(errcodeText).join('; ')
    : status === 401 ? 'unauthorized: authentication required' : `received unexpected HTTP status: ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  return new RegistryError(kindOf(status), message, status, entries);
}

function parseEntries(body: Buffer): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(body.toString()) as { errors?: { code?: unknown; message?: unknown }[] };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors.map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? '') }));
  } catch {
    return [];
  }
}

/** errcode.Error's text: the code in lower case with spaces, then the message. */
function errcodeText(entry: RegistryErrorEntry): string {
  const code = entry.code.toLowerCase().replaceAll('_', ' ');
  return entry.message ? `${code}: ${entry.message}` : code;
}

function kindOf(status: number): ErrorKind {
  // A registry's 401 is not the API client's: answered with 401, the docker CLI
  // would prompt for a login. dockerd reports it as an unknown error (500).
  if (status === 401) return 'internal';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 400 || status === 405 || status === 413 || status === 416) return 'invalid';
  if (status === 429 || status >= 500) return 'unavailable';
  return 'internal';
}

/** moby's TranslatePullError: what `docker pull` says when the registry says no. */
export function translatePullError(err: unknown, ref: Reference): unknown {
  if (!(err instanceof RegistryError)) return err;
  switch (err.code) {
    case 'DENIED':
      return new EngineError('notFound', `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${err.message}`);
    case 'MANIFEST_UNKNOWN':
      return new EngineError('notFound', `manifest for ${familiarString(ref)} not found: ${err.message}`);
    case 'NAME_UNKNOWN':
      return new EngineError('notFound', `repository ${familiarName(ref)} not found: ${err.message}`);
    default:
      return err;
  }
}
