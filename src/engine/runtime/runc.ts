import { execFile } from 'node:child_process';
import { EngineError, conflict, notFound } from '../../lib/errors.js';
import type { RuntimeState, RuntimeStatus } from './types.js';

/**
 * The runc commands berthd runs itself (conmon runs `create` and `exec`).
 * Every call is one spawn; runc's error text (`level=error msg="…"`) becomes
 * the EngineError's message, mapped to notFound/conflict where runc says so.
 */
export class Runc {
  constructor(
    readonly binary: string,
    /** `runc --root`: berth's own state directory, so berth never sees other users' containers. */
    readonly root: string,
  ) {}

  /** The arguments conmon must pass to runc (as --runtime-arg) so it uses the same state directory. */
  get globalArgs(): string[] {
    return ['--root', this.root];
  }

  run(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(this.binary, [...this.globalArgs, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(runcError(args, stderr || err.message, err));
        else resolve(stdout);
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  async state(id: string): Promise<RuntimeState> {
    const raw = JSON.parse(await this.run(['state', id])) as { id: string; pid: number; status: string; created: string; bundle: string };
    return { id: raw.id, pid: raw.pid, status: toStatus(raw.status), created: new Date(raw.created), bundle: raw.bundle };
  }

  async start(id: string): Promise<void> {
    await this.run(['start', id]);
  }

  async kill(id: string, signal: string, all = false): Promise<void> {
    await this.run(['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  async pause(id: string): Promise<void> {
    await this.run(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run(['resume', id]);
  }

  async delete(id: string, force: boolean): Promise<void> {
    await this.run(['delete', ...(force ? ['--force'] : []), id]);
  }

  /** `runc update -r -`: linux.resources JSON on stdin. */
  async update(id: string, resources: object): Promise<void> {
    await this.run(['update', '-r', '-', id], JSON.stringify(resources));
  }
}

function toStatus(s: string): RuntimeStatus {
  return s === 'created' || s === 'running' || s === 'paused' ? s : 'stopped';
}

/** runc logs `time=… level=error msg="…"`; keep the message(s) only. */
export function runcMessage(stderr: string): string {
  const msgs = [...stderr.matchAll(/level=error msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
  return msgs.length > 0 ? msgs.join('; ') : stderr.trim();
}

function runcError(args: string[], stderr: string, cause: unknown): EngineError {
  const msg = runcMessage(stderr);
  const what = `runc ${args[0]}: ${msg}`;
  if (/does not exist/.test(msg)) return notFound(what, cause);
  if (/not running|is paused|is not paused|cannot .* (stopped|paused)|container is already|while in the/i.test(msg)) return conflict(what, cause);
  return new EngineError('internal', what, { cause });
}
