/**
 * The engines the dashboard watches: the --hosts file's (fixed) and those an
 * admin added in the UI (kept in hosts.json). Relays every host's changes to
 * one set of listeners (the browsers' live sockets).
 */
import { EventEmitter } from 'node:events';
import { conflict, forbidden, notFound } from '../../lib/errors.js';
import type { ContainerRow, ContainerUsage, HostSummary, LiveMessage } from '../shared/types.js';
import { checkHostConfig, type HostConfig } from './host-config.js';
import { JsonFile } from './json-file.js';
import { LiveHost } from './live-host.js';
import { UsagePoller } from './usage.js';

export class HostManager extends EventEmitter<{ message: [LiveMessage] }> {
  private readonly hosts = new Map<string, LiveHost>();
  private readonly pollers = new Map<string, UsagePoller>();

  private constructor(private readonly file: JsonFile<HostConfig[]>) {
    super();
    this.setMaxListeners(0); // one listener per open browser tab
  }

  static async open(path: string, fromFile: HostConfig[]): Promise<HostManager> {
    const manager = new HostManager(new JsonFile<HostConfig[]>(path));
    for (const config of fromFile) manager.attach(config, 'file');
    for (const stored of await manager.file.load([])) {
      const config = checkHostConfig(stored, path);
      // A host the file now names wins over a UI entry of the same name.
      if (!manager.hosts.has(config.name)) manager.attach(config, 'ui');
    }
    return manager;
  }

  summaries(): HostSummary[] {
    return [...this.hosts.values()].map((h) => h.summary);
  }

  containers(): ContainerRow[] {
    return [...this.hosts.values()].flatMap((h) => h.containers);
  }

  /** The host's containers' last CPU and memory numbers. */
  usage(name: string): Record<string, ContainerUsage> {
    return this.pollers.get(name)?.usage ?? {};
  }

  get(name: string): LiveHost {
    const host = this.hosts.get(name);
    if (!host) throw notFound(`no such host: ${name}`);
    return host;
  }

  async add(value: unknown): Promise<HostSummary> {
    const config = checkHostConfig(value);
    if (this.hosts.has(config.name)) throw conflict(`host ${config.name} already exists`);
    // Stored first: a host the browsers see is one that survives a restart.
    await this.saveUiHosts(config);
    if (this.hosts.has(config.name)) throw conflict(`host ${config.name} already exists`);
    return this.attach(config, 'ui').summary;
  }

  async remove(name: string): Promise<void> {
    const host = this.get(name);
    if (host.summary.source === 'file') throw forbidden(`host ${name} comes from the --hosts file; remove it there`);
    host.stop();
    this.hosts.delete(name);
    this.pollers.delete(name);
    await this.saveUiHosts();
    this.emit('message', { type: 'host-removed', name });
  }

  close(): void {
    for (const host of this.hosts.values()) host.stop();
    this.hosts.clear();
    this.pollers.clear();
  }

  private attach(config: HostConfig, source: HostSummary['source']): LiveHost {
    const host = new LiveHost(config, source);
    this.hosts.set(config.name, host);
    host.on('summary', (summary) => this.emit('message', { type: 'host', host: summary }));
    host.on('containers', (containers) => this.emit('message', { type: 'containers', host: config.name, containers }));
    host.start();
    // Sampled only while a browser's live socket listens.
    const poller = new UsagePoller(host, () => this.listenerCount('message') > 0, (usage) => this.emit('message', { type: 'usage', host: config.name, usage }));
    this.pollers.set(config.name, poller);
    poller.start();
    this.emit('message', { type: 'host', host: host.summary });
    return host;
  }

  private saveUiHosts(adding?: HostConfig): Promise<void> {
    const configs = [...this.hosts.values()].filter((h) => h.summary.source === 'ui').map((h) => h.config);
    return this.file.save(adding ? [...configs, adding] : configs);
  }
}
