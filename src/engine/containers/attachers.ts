import { PassThrough } from 'node:stream';
import type { AttachStreams } from '../runtime/types.js';
import type { AttachOptions, StdioStreams } from './types.js';

/**
 * Attachments made before a container starts. `docker run` and `start -a`
 * attach first and start second; conmon's attach socket exists only once the
 * container is created, so such attachments wait here and are connected
 * between create and start, before the process can print anything.
 */
interface Pending {
  streams: StdioStreams;
  options: AttachOptions;
  out: { stdout: PassThrough | null; stderr: PassThrough | null; stdin: PassThrough | null };
  /** The runtime's streams once connected: close() must close them (conmon's socket is an fd of ours). */
  live?: AttachStreams;
}

export class PendingAttachments {
  private readonly pending = new Map<string, Pending[]>();

  add(id: string, options: AttachOptions): StdioStreams {
    const out = {
      stdout: options.stdout ? new PassThrough() : null,
      stderr: options.stderr ? new PassThrough() : null,
      stdin: options.stdin ? new PassThrough() : null,
    };
    // close() looks the live streams up when called: callers keep copies of
    // the streams object ({...streams, tty}), so replacing close later would
    // not reach them, and conmon's attach socket would stay open.
    const entry: Pending = {
      options,
      out,
      streams: {
        stdin: out.stdin,
        stdout: out.stdout,
        stderr: out.stderr,
        close: () => {
          this.drop(id, entry);
          entry.live?.close();
          out.stdout?.end();
          out.stderr?.end();
        },
      },
    };
    const list = this.pending.get(id) ?? [];
    list.push(entry);
    this.pending.set(id, list);
    return entry.streams;
  }

  /** Connects every waiting attachment of a container to its runtime streams. */
  async connect(id: string, attach: () => Promise<AttachStreams>): Promise<void> {
    const list = this.pending.get(id) ?? [];
    this.pending.delete(id);
    for (const entry of list) {
      entry.live = await attach();
      wire(entry.out, entry.live);
    }
  }

  /** Ends waiting attachments (the container was removed, or its start failed). */
  cancel(id: string): void {
    for (const entry of this.pending.get(id) ?? []) entry.streams.close();
    this.pending.delete(id);
  }

  private drop(id: string, entry: unknown): void {
    const list = (this.pending.get(id) ?? []).filter((e) => e !== entry);
    if (list.length > 0) this.pending.set(id, list);
    else this.pending.delete(id);
  }
}

/** Pipes a live attachment into the caller's streams; its ending ends them. */
export function wire(out: { stdout: PassThrough | null; stderr: PassThrough | null; stdin: PassThrough | null }, live: AttachStreams): void {
  if (out.stdout) live.stdout.pipe(out.stdout);
  else live.stdout.resume();
  if (out.stderr) live.stderr.pipe(out.stderr);
  else live.stderr.resume();
  if (out.stdin) out.stdin.pipe(live.stdin);
  live.stdout.on('error', () => out.stdout?.end());
  live.stderr.on('error', () => out.stderr?.end());
  live.stdin.on('error', () => undefined);
}

/** Wraps live runtime streams as the service's StdioStreams, honouring which ones were asked for. */
export function liveStreams(live: AttachStreams, options: AttachOptions): StdioStreams {
  const out = {
    stdout: options.stdout ? new PassThrough() : null,
    stderr: options.stderr ? new PassThrough() : null,
    stdin: options.stdin ? new PassThrough() : null,
  };
  wire(out, live);
  return {
    ...out,
    close: () => {
      live.close();
      out.stdout?.end();
      out.stderr?.end();
    },
  };
}
