import { constants } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, conflict, errnoCode, notFound } from '../../lib/errors.js';
import { runCommand } from '../../platform/linux/spawn.js';
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

  async run(args: string[], input?: string): Promise<string> {
    const all = [...this.globalArgs, ...args];
    const result = await runCommand(this.binary, all, input).catch((err: Error) => {
      throw runcError(args, err.message, err);
    });
    if (result.code === 0) return result.stdout;
    const status = result.code === null ? `signal ${result.signal}` : `exit status ${result.code}`;
    throw runcError(args, result.stderr || `Command failed: ${this.binary} ${all.join(' ')}: ${status}`, result);
  }

  async state(id: string): Promise<RuntimeState> {
    const raw = JSON.parse(await this.run(['state', id])) as { id: string; pid: number; status: string; created: string; bundle: string };
    return { id: raw.id, pid: raw.pid, status: toStatus(raw.status), created: new Date(raw.created), bundle: raw.bundle };
  }

  async start(id: string): Promise<void> {
    if (await this.startThroughFifo(id)) return;
    await this.run(['start', id]);
  }

  /** Whether runc's init process for `id` (from runc's state.json) still exists. */
  private async initAlive(id: string): Promise<boolean> {
    try {
      const state = JSON.parse(await readFile(join(this.root, id, 'state.json'), 'utf8')) as { init_process_pid?: number };
      if (!state.init_process_pid) return false;
      process.kill(state.init_process_pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Does what `runc start` does without spawning runc (a spawn of runc costs
   * ~40 ms here, a third of create+start). After `runc create`, runc's init
   * process waits, blocked in open(O_WRONLY), on <runc root>/<id>/exec.fifo;
   * once a reader opens it, init writes one byte and execs the user's process.
   * runc then removes the fifo, because `runc state` says "created" for as long
   * as it exists. This is runc's own start protocol (libcontainer exec()),
   * stable since runc 1.0-rc; when the fifo is not there (not a created
   * container, or a runtime that works differently) we return false and the
   * caller runs `runc start`, which also gives runc's own error messages.
   */
  private async startThroughFifo(id: string): Promise<boolean> {
    const fifo = join(this.root, id, 'exec.fifo');
    let fh;
    try {
      // Non-blocking: never hang a thread on a fifo whose writer is gone.
      fh = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw new EngineError('internal', `cannot start container ${id}: ${(err as Error).message}`, { cause: err });
    }
    try {
      await readOneByte(fh, id, () => this.initAlive(id));
    } finally {
      await fh.close();
    }
    await unlink(fifo).catch(() => undefined);
    return true;
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

/**
 * Waits (briefly) for init's byte. A non-blocking read of a fifo gives
 * end-of-file while no writer has it open, which is also the case for a
 * moment after we open it and before init's blocked open() returns: so
 * end-of-file means "gone" only once init's process is gone too.
 */
export async function readOneByte(fh: import('node:fs/promises').FileHandle, id: string, initAlive: () => Promise<boolean>): Promise<void> {
  const buf = Buffer.alloc(16);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead > 0) return;
      // init may have opened, written and exited (a short command) while we
      // looked: its byte then waits in the fifo, so read once more.
      if (!(await initAlive())) {
        if ((await fh.read(buf, 0, buf.length, null)).bytesRead > 0) return;
        throw conflict(`cannot start container ${id}: its init process has exited`);
      }
    } catch (err) {
      if (errnoCode(err) !== 'EAGAIN') throw err;
    }
    if (Date.now() > deadline) throw new EngineError('internal', `cannot start container ${id}: runc init did not answer on exec.fifo`);
    await new Promise((r) => setTimeout(r, 1));
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
  if (/not running|already running|has stopped|is paused|not paused|not stopped|cannot (start|pause|resume|delete|kill)/i.test(msg)) return conflict(what, cause);
  return new EngineError('internal', what, { cause });
}
