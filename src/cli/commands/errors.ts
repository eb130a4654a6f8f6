/** The text docker prints for an error, used where a command collects several. */
import { PROGRAM } from '../version-info.js';

export function describeError(err: unknown, host: string): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'ClientError') return `Error response from daemon: ${(err as Error).message}`;
  if (name === 'ConnectionError') return `Cannot connect to the ${PROGRAM} daemon at ${host}. Is the ${PROGRAM} daemon running?`;
  return err instanceof Error ? err.message : String(err);
}
