/**
 * The one error type that crosses module boundaries. Engine code throws it
 * with a kind; only src/api maps kinds to HTTP statuses, and only the CLI maps
 * them to exit codes. Messages are written the way Docker writes them, because
 * clients (and people) match on them.
 */
export type ErrorKind =
  | 'notFound'
  | 'conflict'
  | 'invalid'
  | 'forbidden'
  | 'unavailable'
  | 'notModified'
  | 'unauthorized'
  | 'notImplemented'
  | 'internal';

export class EngineError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'EngineError';
  }
}

export const notFound = (message: string, cause?: unknown) => new EngineError('notFound', message, { cause });
export const conflict = (message: string, cause?: unknown) => new EngineError('conflict', message, { cause });
export const invalid = (message: string, cause?: unknown) => new EngineError('invalid', message, { cause });
export const forbidden = (message: string, cause?: unknown) => new EngineError('forbidden', message, { cause });
export const unavailable = (message: string, cause?: unknown) => new EngineError('unavailable', message, { cause });
export const notImplemented = (message: string, cause?: unknown) => new EngineError('notImplemented', message, { cause });

export function isEngineError(err: unknown, kind?: ErrorKind): err is EngineError {
  return err instanceof EngineError && (kind === undefined || err.kind === kind);
}

/** The errno code of a Node system error, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Wraps anything thrown into an EngineError, keeping EngineErrors as they are. */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError('internal', message, { cause: err });
}

/** The same error (its kind kept; anything else becomes internal) with `context: ` before its message, as Go's `fmt.Errorf("context: %w", err)`. */
export function inContext(context: string, err: unknown): EngineError {
  const engineError = toEngineError(err);
  return new EngineError(engineError.kind, `${context}: ${engineError.message}`, { cause: err });
}
