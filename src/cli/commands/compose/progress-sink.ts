/** Where `berth compose` writes progress and warnings: stderr, as compose v2 does. */
import type { CommandContext } from '../../command.js';
import { Progress } from '../../../compose/progress.js';

export function progressFor(ctx: CommandContext): Progress {
  return new Progress((line) => ctx.stderr.write(line));
}

export function warner(ctx: CommandContext): (message: string) => void {
  return (message) => ctx.stderr.write(`WARN[0000] ${message}\n`);
}

/** `-t`/`--timeout` when given, else undefined (each container's own stop timeout). */
export function timeoutFlag(flags: Record<string, unknown>, changed: Set<string>): number | undefined {
  return changed.has('timeout') ? Number(flags.timeout) : undefined;
}
