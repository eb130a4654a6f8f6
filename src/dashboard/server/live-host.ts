/**
 * One engine the dashboard watches. It subscribes once to the engine's
 * /events and, on each container event, re-lists the containers (and, less
 * eagerly, the host summary), telling listeners; the browsers get the new
 * state from there. When the engine cannot be reached the host is marked
 * unreachable and the subscription is retried with a growing delay.
 */
import { EventEmitter } from 'node:events';
import { BerthClient, parseHost, type ContainerSummary } from '../../client/index.js';
import { events, type EventMessage } from '../../client/system.js';
import { unavailable } from '../../lib/errors.js';
import type { ContainerRow, HostSummary } from '../shared/types.js';
import { tlsOf, type HostConfig } from './host-config.js';

const CONTAINERS_DEBOUNCE_MS = 100;
const SUMMARY_DEBOUNCE_MS = 1000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
/** A host that accepts the connection but never answers (or drops packets) counts as unreachable after this. */
const REFRESH_TIMEOUT_MS = 20_000;

export interface LiveHostEvents {
  summary: [HostSummary];
  containers: [ContainerRow[]];
}

export class LiveHost extends EventEmitter<LiveHostEvents> {
  summary: HostSummary;
  containers: ContainerRow[] = [];
  /** Undefined when the entry itself is unusable (unreadable TLS file, bad host). */
  readonly client: BerthClient | undefined;
  private readonly abort = new AbortController();
  private timers: Partial<Record<'containers' | 'summary', NodeJS.Timeout>> = {};

  constructor(readonly config: HostConfig, source: HostSummary['source']) {
    super();
    const tls = tlsOf(config);
    this.summary = { name: config.name, host: config.host, source, tls: tls !== undefined, portHost: portHostOf(config), reachable: false };
    try {
      this.client = new BerthClient({ host: config.host, tls, userAgent: 'berth-dashboard' });
    } catch (err) {
      this.summary.error = (err as Error).message;
    }
  }

  /**
   * A client of its own for one long stream (logs): the shared client's
   * connection pool is small, and follows held open in it would starve the
   * listings. The caller closes it.
   */
  streamClient(): BerthClient {
    if (!this.client) throw unavailable(`host ${this.config.name} cannot be reached: ${this.summary.error ?? 'not configured'}`);
    return new BerthClient({ host: this.config.host, tls: tlsOf(this.config), userAgent: 'berth-dashboard' });
  }

  /** The shared client, or a 502 naming why the host has none. */
  engine(): BerthClient {
    if (!this.client) throw unavailable(`host ${this.config.name} cannot be reached: ${this.summary.error ?? 'not configured'}`);
    return this.client;
  }

  start(): void {
    if (this.client) void this.watch(this.client);
  }

  stop(): void {
    this.abort.abort();
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.client?.close();
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Re-lists soon; several events in a burst cost one listing. */
  schedule(what: 'containers' | 'summary'): void {
    if (this.timers[what] || this.stopped) return;
    this.timers[what] = setTimeout(() => {
      delete this.timers[what];
      const refresh = what === 'containers' ? this.refreshContainers() : this.refreshSummary();
      refresh.catch((err: unknown) => this.unreachable(err));
    }, what === 'containers' ? CONTAINERS_DEBOUNCE_MS : SUMMARY_DEBOUNCE_MS);
  }

  private async watch(client: BerthClient): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (!this.stopped) {
      try {
        // Events since just before the listing are replayed, so none is lost between the two.
        const since = String(Math.floor(Date.now() / 1000) - 1);
        await Promise.all([this.refreshSummary(), this.refreshContainers()]);
        delay = RETRY_MIN_MS;
        for await (const event of events(client.api, { since, signal: this.abort.signal })) this.onEvent(event);
        if (!this.stopped) throw new Error('the engine closed its event stream');
      } catch (err) {
        if (this.stopped) return;
        this.unreachable(err);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
    }
  }

  private onEvent(event: EventMessage): void {
    if (event.Type === 'container') this.schedule('containers');
    if (['container', 'image', 'volume', 'network'].includes(event.Type)) this.schedule('summary');
  }

  async refreshContainers(): Promise<void> {
    if (!this.client) return;
    const list = await withTimeout(this.client.listContainers({ all: true }), 'listing the containers');
    if (this.stopped) return;
    this.containers = list.map((c) => toRow(this.config.name, c));
    this.emit('containers', this.containers);
  }

  async refreshSummary(): Promise<void> {
    if (!this.client) return;
    const [version, info, df] = await withTimeout(Promise.all([this.client.version(), this.client.info(), this.client.systemDf()]), 'reading the host summary');
    if (this.stopped) return;
    this.summary = {
      ...this.summary,
      reachable: true,
      error: undefined,
      checked: Date.now(),
      engine: {
        version: version.Version,
        apiVersion: version.ApiVersion,
        os: String(info.OperatingSystem ?? ''),
        kernel: String(info.KernelVersion ?? version.KernelVersion ?? ''),
        arch: String(info.Architecture ?? version.Arch ?? ''),
        cpus: Number(info.NCPU ?? 0),
        memory: Number(info.MemTotal ?? 0),
        name: String(info.Name ?? ''),
      },
      counts: { running: info.ContainersRunning ?? 0, paused: info.ContainersPaused ?? 0, stopped: info.ContainersStopped ?? 0, images: info.Images ?? 0 },
      disk: {
        images: df.LayersSize ?? 0,
        containers: total((df.Containers ?? []).map((c) => c.SizeRw)),
        volumes: total((df.Volumes ?? []).map((v) => v.UsageData?.Size)),
        buildCache: total((df.BuildCache ?? []).map((b) => b.Size)),
      },
    };
    this.emit('summary', this.summary);
  }

  private unreachable(err: unknown): void {
    if (this.stopped) return;
    const error = err instanceof Error ? err.message : String(err);
    if (!this.summary.reachable && this.summary.error === error) return;
    this.summary = { ...this.summary, reachable: false, error };
    this.emit('summary', this.summary);
  }
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${REFRESH_TIMEOUT_MS / 1000} s`)), REFRESH_TIMEOUT_MS).unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Sums sizes, skipping the -1 engines report for "not computed". */
function total(sizes: Array<number | undefined>): number {
  return sizes.reduce<number>((n, s) => n + (s !== undefined && s > 0 ? s : 0), 0);
}

/** Where a browser reaches this host's published ports: the TCP host's name, or '' for a local socket. */
function portHostOf(config: HostConfig): string {
  try {
    const endpoint = parseHost(config.host, tlsOf(config) !== undefined);
    return endpoint.kind === 'tcp' ? endpoint.hostname : '';
  } catch {
    return '';
  }
}

const HEALTH = /\((healthy|unhealthy|health: starting)\)/;

export function toRow(host: string, c: ContainerSummary): ContainerRow {
  const health = HEALTH.exec(c.Status)?.[1]?.replace('health: ', '') ?? '';
  return {
    host,
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    image: c.Image,
    command: c.Command,
    state: c.State,
    status: c.Status,
    health,
    ports: (c.Ports ?? []).map((p) => ({ ip: p.IP, privatePort: p.PrivatePort, publicPort: p.PublicPort, type: p.Type })),
    created: c.Created,
    labels: c.Labels ?? {},
  };
}
