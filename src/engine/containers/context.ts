import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedMutex } from '../../lib/mutex.js';
import { unmountAsync } from '../../platform/linux/mount.js';
import type { EventBus } from '../events/types.js';
import type { ImageService } from '../images/types.js';
import type { LayerStore } from '../layers/types.js';
import type { Runtime } from '../runtime/types.js';
import type { MountPlanner, VolumeService } from '../volumes/types.js';
import type { NetworkService } from '../network/types.js';
import { RuntimeCleanups } from './runtime-cleanups.js';
import { RootfsHolds } from './rootfs-holds.js';
import { isRunning } from './state.js';
import type { ContainerStore } from './store.js';
import type { Container, ContainerDefaults } from './types.js';

export interface ContainerServiceDeps {
  store: ContainerStore;
  runtime: Runtime;
  layers: LayerStore;
  images: ImageService;
  events: EventBus;
  volumes: VolumeService;
  planner: MountPlanner;
  networks: NetworkService;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** The daemon's log driver and ulimit defaults (daemon.json); absent: k8s-file logs without limits, no ulimits. */
  defaults?: () => ContainerDefaults;
}

/**
 * What the parts of the container service share: the areas it works over,
 * one lock per container (every state change of a container goes through
 * it), the rootfs holds, and the in-process signals `exit:<id>` and
 * `removed:<id>` that waiters listen to.
 */
export class ContainerContext {
  readonly locks = new KeyedMutex();
  readonly signals = new EventEmitter();
  /** Starts, exports and archive reads in progress, per container: the rootfs stays mounted while any runs. */
  readonly rootfs: RootfsHolds;
  /** Deletions of runtime state after an exit or an rm, off the container's lock (runtime-cleanups.ts). */
  readonly runtimeCleanups = new RuntimeCleanups();

  constructor(readonly deps: ContainerServiceDeps) {
    this.signals.setMaxListeners(0);
    this.rootfs = new RootfsHolds({
      mount: async (id) => {
        await mkdir(this.rootfsOf(id), { recursive: true });
        await deps.layers.mountRw(deps.store.get(id)?.rwLayer ?? id, this.rootfsOf(id)); // nothing to do when mounted already
      },
      unmount: async (id) => {
        // Unmounted here off the main thread first (the layer store's unmount is synchronous), then the store's own check finds nothing left.
        await unmountAsync(this.rootfsOf(id)).catch(() => undefined);
        await deps.layers.unmountRw(deps.store.get(id)?.rwLayer ?? id, this.rootfsOf(id)).catch(() => undefined);
      },
      running: (id) => {
        const c = deps.store.get(id);
        return !!c && isRunning(c.state);
      },
    });
  }

  rootfsOf(id: string): string {
    return join(this.deps.store.dirOf(id), 'rootfs');
  }

  lock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }

  /** Resolves with the exit code of the container's next exit. */
  nextExit(id: string): Promise<number> {
    return new Promise((resolve) => this.signals.once(`exit:${id}`, resolve));
  }

  /**
   * Resolves once the container's exit is recorded. Its output ends when the process does, which
   * can be before its start is even recorded (a quick process): the start in progress (it holds
   * the lock) is waited for first, then the exit if it still runs. dockerd closes attachments in
   * its exit handling, under the container's lock, so their end tells a client that it exited.
   */
  async exitRecorded(id: string): Promise<void> {
    await this.lock(id, async () => undefined);
    const c = this.deps.store.get(id);
    if (c?.state.Running && c.state.Status !== 'restarting') await this.nextExit(id);
  }

  /** A container event with dockerd's attributes (labels, image, name) and any extra ones. */
  publish(action: string, c: Container, extra: Record<string, string> = {}): void {
    this.deps.events.publish('container', action, c.id, { ...this.attributes(c), ...extra });
  }

  attributes(c: Container): Record<string, string> {
    return { ...(c.config.Labels ?? {}), image: c.imageName, name: c.name.slice(1) };
  }
}
