/**
 * `compose logs -f` (compose v2's logs.go with watchContainers): one log
 * stream per container, and the project's container events to follow what
 * happens after: a container that starts later (a scale-up, `up` of another
 * service, `start`) gets a stream of its own, one that its restart policy (or
 * a `start`) brings back gets a new one, each stop is reported as "exited
 * with code N" after the container's last line, and following ends once no
 * followed container runs or will restart.
 *
 * A stream opened again resumes where the last one ended (the container's
 * die time) and a container never seen gets all its logs; compose v2 uses the
 * start event's time, which loses what the process printed before the engine
 * sent that event.
 */
import type { BerthClient, LogsOptions } from '../client/index.js';
import { isEngineError } from '../lib/errors.js';
import { displayName } from './attach.js';
import { projectEvents, type ComposeEvent } from './events.js';
import { forEachLine } from './follow.js';
import type { LogPrinter } from './log-printer.js';
import type { Project } from './project.js';

interface Followed {
  display: string;
  service: string;
  /** Whether a stream of it is open and the container not yet known to have stopped. */
  live: boolean;
  /** Where a new stream starts (an API timestamp), once one has been read to its end. */
  resumeFrom?: string;
  stream: Promise<void>;
}

/** An API timestamp ("seconds.nanoseconds") for a time in nanoseconds since the epoch. */
export function apiTime(nanos: bigint): string {
  return `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
}

export class LogFollower {
  private readonly followed = new Map<string, Followed>();
  /** The containers following waits for: running, or coming back by their restart policy. */
  private readonly expected = new Set<string>();
  private readonly pending: Promise<void>[] = [];
  /** The first stream that failed: streams never reject, so none is left unhandled while events are read. */
  private failure: unknown;

  constructor(private readonly client: BerthClient, private readonly project: Project, private readonly printer: LogPrinter, private readonly options: LogsOptions) {}

  /** A container listed before following: its logs so far (and on, when running); a stopped one resumes at `listedAt` if it starts. */
  add(id: string, name: string, service: string, running: boolean, listedAt?: string): void {
    this.open(id, name, service, undefined);
    const entry = this.followed.get(id)!;
    entry.live = running;
    if (running) this.expected.add(id);
    else entry.resumeFrom = listedAt;
  }

  /** Follows the project's events from `since` (taken before the containers were listed, so no start is missed) until nothing is left to follow. */
  async watch(services: string[], since: string): Promise<void> {
    if (this.expected.size > 0) {
      for await (const event of projectEvents(this.client, this.project.name, { services, since })) {
        await this.onEvent(event);
        if (this.expected.size === 0 || this.failure) break;
      }
    }
    await this.done();
  }

  /** Every stream read to its end, and every exit reported; the first stream's error thrown. */
  async done(): Promise<void> {
    await Promise.all([...this.pending, ...[...this.followed.values()].map((f) => f.stream)]);
    if (this.failure) throw this.failure;
  }

  private open(id: string, name: string, service: string, since: string | undefined): void {
    const display = displayName(this.project, name);
    this.printer.register(display);
    const tty = Boolean(this.project.model.services[service]?.tty);
    const stream = this.client.containerLogs(id, { ...this.options, since: since ?? this.options.since })
      .then((body) => forEachLine(body, tty, (line) => this.printer.line(display, line)))
      // A container removed before (or while) its logs are read has nothing more to show.
      .catch((err: unknown) => {
        if (!isEngineError(err, 'notFound')) this.failure ??= err;
      });
    this.followed.set(id, { display, service, live: true, resumeFrom: since, stream });
  }

  private async onEvent(event: ComposeEvent): Promise<void> {
    const id = event.container;
    const entry = this.followed.get(id);
    if (event.action === 'destroy') return void this.expected.delete(id);
    if (event.action === 'start') {
      if (entry?.live) return;
      this.open(id, event.attributes.name ?? id, event.service, entry?.resumeFrom);
      this.expected.add(id);
      return;
    }
    if ((event.action !== 'die' && event.action !== 'stop') || !entry) return;
    const state = await this.state(id);
    if (!state || (event.action === 'stop' && state.Running)) return void this.expected.delete(id);
    if (entry.live) {
      entry.live = false;
      entry.resumeFrom = apiTime(event.timeNano);
      // After the stream's last line: the engine ends it once the container has stopped.
      this.pending.push(entry.stream.then(() => this.printer.status(entry.display, `exited with code ${state.ExitCode}`)));
    }
    // A container its restart policy brings back is still followed (compose v2: Restarting, or already Running again).
    if (event.action === 'stop' || !(state.Restarting || state.Running)) this.expected.delete(id);
  }

  private async state(id: string): Promise<{ Running: boolean; Restarting: boolean; ExitCode: number } | undefined> {
    try {
      return (await this.client.inspectContainer(id)).value.State;
    } catch (err) {
      if (isEngineError(err, 'notFound')) return undefined;
      throw err;
    }
  }
}
