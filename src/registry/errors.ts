/**
 * The registry's errors: an EngineError that also carries one of the
 * distribution spec's error codes, so the HTTP layer can answer with the
 * spec's status and `{"errors":[{code,message,detail}]}` body. Code outside
 * HTTP (storage, gc) throws these too; anything else that reaches the HTTP
 * layer is an internal error.
 */
import { EngineError, type ErrorKind } from '../lib/errors.js';

/** The spec's codes (code-1…code-14) plus distribution's few extras that clients know. */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'TAG_INVALID'
  | 'PAGINATION_NUMBER_INVALID'
  | 'RANGE_INVALID'
  | 'UNKNOWN';

interface CodeInfo {
  status: number;
  kind: ErrorKind;
  /** The spec's description, used when a call site has nothing more precise to say. */
  text: string;
}

const CODES: Record<RegistryErrorCode, CodeInfo> = {
  BLOB_UNKNOWN: { status: 404, kind: 'notFound', text: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, kind: 'invalid', text: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, kind: 'notFound', text: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, kind: 'invalid', text: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, kind: 'invalid', text: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, kind: 'invalid', text: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, kind: 'notFound', text: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, kind: 'invalid', text: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, kind: 'notFound', text: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, kind: 'invalid', text: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, kind: 'unauthorized', text: 'authentication required' },
  DENIED: { status: 403, kind: 'forbidden', text: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, kind: 'notImplemented', text: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, kind: 'unavailable', text: 'too many requests' },
  TAG_INVALID: { status: 400, kind: 'invalid', text: 'manifest tag did not match URI' },
  PAGINATION_NUMBER_INVALID: { status: 400, kind: 'invalid', text: 'invalid number of results requested' },
  RANGE_INVALID: { status: 416, kind: 'invalid', text: 'invalid content range' },
  /** distribution's code for failures that are not the client's (500). */
  UNKNOWN: { status: 500, kind: 'internal', text: 'unknown error' },
};

export class RegistryError extends EngineError {
  readonly code: RegistryErrorCode;
  readonly detail: unknown;
  /** The HTTP status; usually the code's, but the spec asks for a few others (413 for a huge manifest). */
  readonly status: number;
  /** Headers the answer must carry (a Bearer challenge on a 401). */
  readonly headers: Record<string, string>;

  constructor(code: RegistryErrorCode, message?: string, options: { detail?: unknown; status?: number; cause?: unknown; headers?: Record<string, string> } = {}) {
    const info = CODES[code];
    super(info.kind, message ?? info.text, { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.detail = options.detail;
    this.status = options.status ?? info.status;
    this.headers = options.headers ?? {};
  }
}

export function registryError(code: RegistryErrorCode, message?: string, detail?: unknown): RegistryError {
  return new RegistryError(code, message, { detail });
}

/** The spec's JSON error body. */
export function errorBody(err: RegistryError): { errors: { code: string; message: string; detail?: unknown }[] } {
  const entry: { code: string; message: string; detail?: unknown } = { code: err.code, message: err.message };
  if (err.detail !== undefined) entry.detail = err.detail;
  return { errors: [entry] };
}
