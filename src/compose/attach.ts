/**
 * Following a project's containers as attached `up` does (compose v2's
 * attach.go and printer.go): each container attached (stdout and stderr,
 * no past logs) before it starts, its lines printed behind its
 * `<service>-<n>` prefix, and an exit reported once it stops for good; a
 * container that its restart policy brings back is followed again.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { BerthClient } from '../client/index.js';
import type { Converged } from './converge.js';
import { forEachLine } from './follow.js';
import type { LogPrinter } from './log-printer.js';
import type { Project } from './project.js';

export interface ExitEvent {
  service: string;
  /** The name compose shows: the container name without the `<project>-` in front. */
  display: string;
  exitCode: number;
}

/** `web-1` for `proj-web-1`; a `container_name` is shown as it is. */
export function displayName(project: Project, name: string): string {
  const prefix = `${project.name}-`;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

export class AttachSession {
  private readonly sockets = new Set<Socket>();
  private closed = false;

  /** `stamp` gives each line its time (the attach stream has none), for `up --timestamps`. */
  constructor(private readonly client: BerthClient, private readonly project: Project, private readonly printer: LogPrinter, private readonly stamp?: () => string) {}

  /**
   * Attaches to every container and resolves once all are attached; the
   * returned promise (`done`) settles when each has exited, `onExit` being
   * called as each one does.
   */
  async attach(containers: Converged[], onExit: (event: ExitEvent) => void): Promise<{ done: Promise<void> }> {
    const sorted = [...containers].sort((a, b) => a.name.localeCompare(b.name));
    for (const c of sorted) this.printer.register(displayName(this.project, c.name));
    const streams = await Promise.all(sorted.map(async (c) => ({ c, first: await this.open(c.id) })));
    const done = Promise.all(streams.map(async ({ c, first }) => onExit(await this.follow(c, first)))).then(() => undefined);
    return { done };
  }

  /** Ends every stream (the command is ending). */
  close(): void {
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
  }

  private async open(id: string): Promise<Readable> {
    const hijacked = await this.client.attachContainer(id, { stream: true, stdout: true, stderr: true, logs: false });
    this.sockets.add(hijacked.socket);
    hijacked.socket.once('close', () => this.sockets.delete(hijacked.socket));
    return hijacked.output;
  }

  private async follow(c: Converged, first: Readable): Promise<ExitEvent> {
    const display = displayName(this.project, c.name);
    const tty = Boolean(this.project.model.services[c.service]?.tty);
    let stream = first;
    for (;;) {
      await forEachLine(stream, tty, (line) => this.printer.line(display, line, this.stamp?.()));
      if (this.closed) return { service: c.service, display, exitCode: -1 };
      // Wait first: the stream can end before an engine (berthd) has recorded the exit, and inspect still says running.
      const { result } = await this.client.waitContainer(c.id, 'not-running');
      const { StatusCode } = await result;
      const { value } = await this.client.inspectContainer(c.id);
      if (this.closed || !(value.State.Restarting || value.State.Running)) return { service: c.service, display, exitCode: StatusCode };
      stream = await this.open(c.id);
    }
  }
}
