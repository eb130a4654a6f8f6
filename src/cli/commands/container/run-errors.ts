/**
 * How run/create report failures, as the docker CLI does: local problems and
 * (for run) daemon errors print `berth: <message>` plus a help hint and exit
 * 125; run maps "not found" to 127 and "permission denied"/"is a directory"
 * to 126 from the daemon's text (docker's toStatusError).
 */
import { StatusError } from '../../command.js';
import { PROGRAM } from '../../version-info.js';
import { describeError } from '../errors.js';

export function runFailure(command: 'run' | 'create', message: string, exitCode = 125): StatusError {
  return new StatusError(`${PROGRAM}: ${message}\n\nRun '${PROGRAM} ${command} --help' for more information`, exitCode);
}

/** docker's toStatusError: the exit code run uses when the daemon refuses to start. */
export function runExitCodeFor(message: string): number {
  if (message.includes('executable file not found') || message.includes('no such file or directory') || message.includes('system cannot find the file specified')) return 127;
  if (message.includes('permission denied') || message.includes('is a directory')) return 126;
  return 125;
}

/** Wraps a daemon (or pull) error from `run` into docker's framing and exit code. */
export function runDaemonFailure(err: unknown, host: string): StatusError {
  if (err instanceof StatusError) return err;
  const text = describeError(err, host);
  return runFailure('run', text, runExitCodeFor(text));
}
