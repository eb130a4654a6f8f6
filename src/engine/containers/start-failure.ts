import { EngineError, invalid } from '../../lib/errors.js';

/**
 * How Docker reports a start that failed before the process ran: the runtime's
 * message, exit code 127 when the command is not found, 126 when it cannot be
 * run, and 128 otherwise; "not found" and "cannot run" are the caller's fault.
 */
export function startFailure(err: unknown): { message: string; exitCode: number; error: EngineError } {
  const message = err instanceof Error ? err.message : String(err);
  if (/executable file not found|no such file or directory/i.test(message)) {
    return { message, exitCode: 127, error: invalid(message, err) };
  }
  if (/permission denied|is a directory|exec format error/i.test(message)) {
    return { message, exitCode: 126, error: invalid(message, err) };
  }
  const engineError = err instanceof EngineError ? err : new EngineError('internal', message, { cause: err });
  return { message, exitCode: 128, error: engineError };
}
