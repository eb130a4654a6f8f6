import { invalid } from '../../lib/errors.js';
import { runCommand } from '../../platform/linux/spawn.js';
import type { TopResult } from './types.js';

/**
 * `docker top`: runs the host's ps with the given options and keeps the rows
 * whose PID is one of the container's processes, as Docker does.
 */
export async function top(pids: number[], psArgs: string): Promise<TopResult> {
  const args = (psArgs.trim() || '-ef').split(/\s+/);
  // Spawned off the main thread (see spawn.ts), as every tool of the daemon's.
  const result = await runCommand('ps', args).catch((err: Error) => ({ code: -1, signal: null, stdout: '', stderr: err.message }));
  if (result.code !== 0) {
    // As moby's top: the first line of ps's complaint (the rest is its usage text).
    const why = (result.stderr.trim() || `exit status ${result.code ?? result.signal}`).split('\n')[0];
    throw invalid(`ps: ${why}`);
  }
  const { stdout } = result;
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const pidColumn = header.indexOf('PID');
  if (pidColumn < 0) throw invalid(`Couldn't find PID field in ps output`);
  const wanted = new Set(pids);
  const processes = lines.slice(1).flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    if (!wanted.has(Number(fields[pidColumn]))) return [];
    // The last column (the command) may contain spaces: keep it whole.
    const head = fields.slice(0, header.length - 1);
    return [[...head, fields.slice(header.length - 1).join(' ')]];
  });
  return { Processes: processes, Titles: header }; // dockerd's field order
}
