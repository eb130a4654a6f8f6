import { linkRemoval } from './links.js';
import { longDelay } from '../../lib/timers.js';
import { EventEmitter } from 'node:events';
import { hostname, constants as osConstants } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { randomId, type Digest } from '../../lib/digest.js';
import { conflict, EngineError, invalid, isEngineError, notImplemented } from '../../lib/errors.js';
import { KeyedMutex } from '../../lib/mutex.js';
import { directorySize } from '../../lib/dir-size.js';
import type { EventBus } from '../events/types.js';
import type { ImageService } from '../images/types.js';
import type { LayerStore } from '../layers/types.js';
import type { ExitStatus, LogReadOptions, Runtime } from '../runtime/types.js';
import type { MountPlanner, VolumeService } from '../volumes/types.js';
import type { ContainerFacts, ContainerNetworkConfig, NetworkService } from '../network/types.js';
import { PendingAttachments, liveStreams } from './attachers.js';
import { ExecManager } from './exec.js';
import { startFailure } from './start-failure.js';
import { HealthMonitor, probeArgs } from './health.js';
import { commandOf, mergeImageConfig } from './merge.js';
import { generateName, normaliseName } from './names.js';
import { decideRestart } from './restart-policy.js';
import { resourcesOf, runtimeSpecOf } from './runtime-spec.js';
import { initialState, isRunning, markExited, markPaused, markRemoving, markRunning, markStartFailed, removalRefusal } from './state.js';
import type { ContainerStore } from './store.js';
import { top } from './top.js';
import { checkPruneFilters, filterContainers, prunable } from './filters.js';
import { resolveUser } from './user.js';
import { createEtcPlaceholders, etcArchiveMounts, setupEtcFiles } from './etc-files.js';
import { joinedNamespaces, resolveNamespaceTargets } from './namespace-targets.js';
import { unmountShareableShm } from './shm.js';
import { validateCreate, validateHostConfig } from './validate.js';
import { checkLinks } from './validate-network.js';
import { checkImagePlatform } from './validate-platform.js';
import { withCreateDefaults } from './host-defaults.js';
import { ensureDirInRoot } from './workdir.js';
import { RootfsHolds } from './rootfs-holds.js';
import * as archive from './archive.js';
import { checkLogValues, logFiles, logLimits, logsReadable, LogKeeper, mergeLogConfig, withDefaultUlimits } from './logging.js';
import type {
  AttachOptions, Container, ContainerDefaults, ContainerService, CreateRequest, ExecConfig, ExecStart, HostConfig, ListOptions, StdioStreams, TopResult, WaitResult,
} from './types.js';

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

/** What a running container has in this berthd process (none of it survives a restart; recover() rebuilds it). */
interface Live {
  exitWatch?: AbortController;
  restartTimer?: NodeJS.Timeout;
  lastDelayMs: number;
  health?: HealthMonitor;
  /** Keeps json-file's rotated log files (max-file > 1) while the container runs. */
  logKeeper?: LogKeeper;
}

const STOP_GRACE_DEFAULT_S = 10;

/**
 * Containers on this host: records, names and the state machine, over the
 * runtime (conmon + runc) and the layer store. Every state change of one
 * container goes through that container's lock; exits are observed through
 * conmon's exit files, so they are found even when they happened while
 * berthd was down.
 */
export class LocalContainerService implements ContainerService {
  private readonly locks = new KeyedMutex();
  private readonly live = new Map<string, Live>();
  private readonly signals = new EventEmitter();
  private readonly attachments = new PendingAttachments();
  private readonly execs: ExecManager;
  /** Starts, exports and archive reads in progress, per container: the rootfs stays mounted while any runs. */
  private readonly rootfs: RootfsHolds;
  private stopping = false;

  constructor(private readonly deps: ContainerServiceDeps) {
    this.signals.setMaxListeners(0);
    this.execs = new ExecManager(deps.runtime, (id) => this.rootfsOf(id));
    this.rootfs = new RootfsHolds({
      mount: async (id) => {
        await mkdir(this.rootfsOf(id), { recursive: true });
        await deps.layers.mountRw(deps.store.get(id)?.rwLayer ?? id, this.rootfsOf(id)); // nothing to do when mounted already
      },
      unmount: (id) => deps.layers.unmountRw(deps.store.get(id)?.rwLayer ?? id, this.rootfsOf(id)).catch(() => undefined),
      running: (id) => {
        const c = deps.store.get(id);
        return !!c && isRunning(c.state);
      },
    });
  }

  // ---- create, inspect, list ----

  async create(request: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    const { store, images, layers } = this.deps;
    const imageName = request.config.Image ?? '';
    if (!imageName) throw invalid('config.Image is required: no image given');
    if (this.deps.defaults) request.hostConfig.LogConfig = mergeLogConfig(request.hostConfig.LogConfig, this.deps.defaults().logConfig);
    const validationWarnings = validateCreate(request.config, request.hostConfig);
    resolveNamespaceTargets(request.hostConfig, (target) => store.find(target).id);
    request.hostConfig = await withCreateDefaults(request.hostConfig);
    const image = await images.resolve(imageName);
    checkImagePlatform(imageName, request.platform, image.config);
    const config = mergeImageConfig(request.config, image.config.config);
    const { path, args } = commandOf(config);
    const id = randomId();
    const name = this.chooseName(request.name);
    // As dockerd: a container on the host's network is named after the host (in its own UTS namespace).
    config.Hostname ||= request.hostConfig.NetworkMode === 'host' ? hostname() : id.slice(0, 12);
    config.Image = imageName;
    const dir = store.dirOf(id);
    const container: Container = {
      id, name, created: new Date().toISOString(), image: image.id, imageName, path, args, config,
      hostConfig: request.hostConfig, state: initialState(), restartCount: 0, hasBeenManuallyStopped: false, rwLayer: id,
      logPath: join(dir, 'ctr.log'), hostnamePath: join(dir, 'hostname'), hostsPath: join(dir, 'hosts'), resolvConfPath: join(dir, 'resolv.conf'),
    };
    if (probeArgs(config.Healthcheck)) container.state.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
    await store.add(container);
    let warnings: string[] = [];
    try {
      await layers.createRw(id, image.topLayer);
      await createEtcPlaceholders(container);
      const planned = await this.deps.planner.plan({
        containerId: id,
        binds: request.hostConfig.Binds ?? [],
        mounts: (request.hostConfig.Mounts ?? []) as never,
        tmpfs: request.hostConfig.Tmpfs ?? {},
        volumesFrom: request.hostConfig.VolumesFrom ?? [],
        configVolumes: request.withoutImageVolumes ? {} : config.Volumes ?? {},
        volumeDriver: (request.hostConfig.VolumeDriver as string | undefined) ?? '',
        lookupContainer: async (name) => this.findForCreate(name).mounts ?? [],
      });
      container.mounts = planned.mounts;
      warnings = [...validationWarnings, ...planned.warnings];
      checkLinks(request.hostConfig, (name) => this.deps.store.find(name));
      await this.deps.networks.register(id, networkConfigOf(container, request));
      await store.save(container);
    } catch (err) {
      await this.deps.networks.unregister(id).catch(() => undefined);
      await layers.removeRw(id).catch(() => undefined);
      if (container.mounts) await this.deps.planner.release(id, container.mounts, { removeAnonymous: true }).catch(() => undefined);
      await store.delete(id);
      throw err;
    }
    this.deps.events.publish('container', 'create', id, this.attributes(container));
    return { Id: id, Warnings: warnings };
  }

  /** A container a create request names (--volumes-from): one that does not exist makes the request invalid (400), as in dockerd. */
  private findForCreate(name: string): Container {
    try {
      return this.deps.store.find(name);
    } catch (err) {
      throw isEngineError(err, 'notFound') ? invalid(err.message, err) : err;
    }
  }

  async get(idOrName: string): Promise<Container> {
    return this.deps.store.find(idOrName);
  }

  async list(options: ListOptions): Promise<Container[]> {
    const all = this.deps.store.all().sort((a, b) => b.created.localeCompare(a.created));
    let out = filterContainers(all, options.filters, (name) => this.deps.store.find(name));
    if (!options.all && !options.filters.has('status')) out = out.filter((c) => isRunning(c.state) || c.state.Status === 'restarting');
    if (options.limit !== undefined && options.limit > 0) out = out.slice(0, options.limit);
    return out;
  }

  async sizes(id: string): Promise<{ SizeRw: number; SizeRootFs: number }> {
    const container = this.deps.store.find(id);
    const rw = await this.deps.layers.getRw(container.rwLayer);
    const sizeRw = rw ? await directorySize(rw.diffDir) : 0;
    const image = await this.deps.images.resolve(container.image).catch(() => undefined);
    return { SizeRw: sizeRw, SizeRootFs: sizeRw + (image?.size ?? 0) };
  }

  // ---- lifecycle ----

  async start(idOrName: string): Promise<void> {
    const c = this.deps.store.find(idOrName);
    await this.lock(c.id, () => this.startLocked(c, false));
  }

  private async startLocked(c: Container, restarting: boolean): Promise<void> {
    if (c.state.Status === 'paused') throw conflict('cannot start a paused container, try unpause instead');
    if (c.state.Running && !restarting) throw new EngineError('notModified', 'container already started');
    if (c.state.Status === 'removing' || c.state.Status === 'dead') throw conflict('container is marked for removal and cannot be started');
    const { runtime } = this.deps;
    const rootfs = this.rootfsOf(c.id);
    let letGo: (() => Promise<void>) | undefined;
    try {
      checkLogValues(c.hostConfig.LogConfig);
      const joined = await joinedNamespaces(c, { find: (id) => this.deps.store.find(id), dirOf: (id) => this.deps.store.dirOf(id) });
      letGo = await this.rootfs.hold(c.id);
      const { user, home } = await resolveUser(rootfs, c.config.User ?? '', c.hostConfig.GroupAdd ?? []);
      if (c.config.WorkingDir) await ensureDirInRoot(rootfs, c.config.WorkingDir, user);
      const mounts = await this.deps.planner.setup(c.id, c.mounts ?? [], rootfs);
      const network = await this.deps.networks.attach(c.id);
      await setupEtcFiles(c, network, (id) => this.deps.store.find(id));
      await runtime.delete(c.id, { force: true }); // a bundle left by the previous run
      const ulimits = withDefaultUlimits(c.hostConfig.Ulimits, this.deps.defaults?.().ulimits ?? []);
      const spec = runtimeSpecOf({ ...c, hostConfig: { ...c.hostConfig, Ulimits: ulimits } }, { rootfs, user, home, mounts, joined, network: { namespace: network.namespace, env: network.linkEnv } });
      const created = await runtime.create(spec, {
        // As moby's attach: StdinOnce closes stdin when the first client goes, but never for a tty,
        // so that ctrl-p ctrl-q and a later attach find the shell still listening.
        tty: !!c.config.Tty, openStdin: !!c.config.OpenStdin, stdinOnce: !!c.config.StdinOnce && !c.config.Tty, logPath: logsReadable(c.hostConfig) ? c.logPath : null,
        logSizeMax: logLimits(c.hostConfig).maxSize,
      });
      await this.attachments.connect(c.id, () => runtime.attach(c.id));
      await runtime.start(c.id);
      markRunning(c.state, created.pid);
      if (c.state.Health) c.state.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
    } catch (err) {
      await runtime.delete(c.id, { force: true }).catch(() => undefined);
      await this.deps.planner.teardown(c.id, c.mounts ?? []).catch(() => undefined);
      await this.deps.networks.detach(c.id).catch(() => undefined);
      await (letGo ? letGo() : this.rootfs.release(c.id)); // not running: unmounted unless a reader holds it
      unmountShareableShm(this.deps.store.dirOf(c.id));
      this.attachments.cancel(c.id);
      const failure = startFailure(err);
      markStartFailed(c.state, failure.message, failure.exitCode);
      await this.deps.store.save(c);
      // As Docker: an --rm container that cannot start is removed (and its waiters told).
      if (c.hostConfig.AutoRemove) await this.removeLocked(c).catch(() => undefined);
      throw failure.error;
    }
    await letGo();
    c.hasBeenManuallyStopped = false;
    await this.deps.store.save(c);
    this.watchExit(c);
    this.startHealth(c);
    this.deps.events.publish('container', 'start', c.id, this.attributes(c));
  }

  async stop(idOrName: string, options: { timeout?: number; signal?: string }): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (c.state.Status === 'restarting') return this.cancelRestart(c);
    if (!c.state.Running) throw new EngineError('notModified', 'container already stopped');
    c.hasBeenManuallyStopped = true;
    await this.deps.store.save(c);
    await this.stopProcess(c, options);
    this.deps.events.publish('container', 'stop', c.id, this.attributes(c));
  }

  /** Signals, waits the grace period, then kills; resolves once the exit has been handled. */
  private async stopProcess(c: Container, options: { timeout?: number; signal?: string }): Promise<void> {
    const exited = this.nextExit(c.id);
    const signal = options.signal || c.config.StopSignal || 'SIGTERM';
    const grace = options.timeout ?? c.config.StopTimeout ?? STOP_GRACE_DEFAULT_S;
    if (c.state.Paused) await this.deps.runtime.resume(c.id).catch(() => undefined);
    await this.deps.runtime.kill(c.id, signal).catch((err) => this.ignoreGone(err));
    // As dockerd: each signal a stop sends is a kill event too.
    this.deps.events.publish('container', 'kill', c.id, { ...this.attributes(c), signal: signalNumber(signal) });
    if (grace >= 0) {
      const timedOut = await Promise.race([exited.then(() => false), delay(grace * 1000).then(() => true)]);
      if (timedOut) {
        await this.deps.runtime.kill(c.id, 'SIGKILL', { all: true }).catch((err) => this.ignoreGone(err));
        this.deps.events.publish('container', 'kill', c.id, { ...this.attributes(c), signal: signalNumber('SIGKILL') });
      }
    }
    await exited;
  }

  async restart(idOrName: string, options: { timeout?: number; signal?: string }): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (c.state.Status === 'restarting') await this.cancelRestart(c);
    if (c.state.Running) {
      c.hasBeenManuallyStopped = true;
      await this.stopProcess(c, options);
    }
    await this.lock(c.id, () => this.startLocked(c, false));
    this.deps.events.publish('container', 'restart', c.id, this.attributes(c));
  }

  async kill(idOrName: string, signal = 'SIGKILL'): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (!c.state.Running || c.state.Status === 'restarting') {
      throw conflict(`cannot kill container: ${c.name.slice(1)}: container ${c.id} is not running`);
    }
    // As Docker: a killed container counts as stopped by hand, so its restart policy leaves it be.
    c.hasBeenManuallyStopped = true;
    await this.deps.store.save(c);
    const exited = /^(SIG)?KILL$|^9$/i.test(signal) ? this.nextExit(c.id) : null;
    await this.deps.runtime.kill(c.id, signal);
    this.deps.events.publish('container', 'kill', c.id, { ...this.attributes(c), signal: signalNumber(signal) });
    if (exited) await exited;
  }

  async pause(idOrName: string): Promise<void> {
    const c = this.deps.store.find(idOrName);
    await this.lock(c.id, async () => {
      if (!c.state.Running) throw conflict(`container ${c.id} is not running`);
      if (c.state.Paused) throw conflict(`container ${c.id} is already paused`);
      await this.deps.runtime.pause(c.id);
      markPaused(c.state, true);
      await this.deps.store.save(c);
    });
    this.deps.events.publish('container', 'pause', c.id, this.attributes(c));
  }

  async unpause(idOrName: string): Promise<void> {
    const c = this.deps.store.find(idOrName);
    await this.lock(c.id, async () => {
      if (!c.state.Paused) throw conflict(`container ${c.id} is not paused`);
      await this.deps.runtime.resume(c.id);
      markPaused(c.state, false);
      await this.deps.store.save(c);
    });
    this.deps.events.publish('container', 'unpause', c.id, this.attributes(c));
  }

  async wait(idOrName: string, condition: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<WaitResult> {
    const c = this.deps.store.find(idOrName);
    if (condition === 'not-running' && !c.state.Running && c.state.Status !== 'restarting') return { StatusCode: c.state.ExitCode, Error: null };
    const event = condition === 'removed' ? `removed:${c.id}` : `exit:${c.id}`;
    return new Promise<WaitResult>((resolve, reject) => {
      const onEvent = (code: number) => {
        signal?.removeEventListener('abort', onAbort);
        resolve({ StatusCode: code, Error: null });
      };
      const onAbort = () => {
        this.signals.off(event, onEvent);
        reject(new EngineError('unavailable', 'wait cancelled'));
      };
      this.signals.once(event, onEvent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async remove(idOrName: string, options: { force: boolean; volumes: boolean; link: boolean }): Promise<void> {
    if (options.link) return this.removeLink(idOrName);
    const c = this.deps.store.find(idOrName);
    const refusal = options.force ? null : removalRefusal(c.id, c.state);
    if (refusal) throw conflict(refusal);
    if (c.state.Status === 'removing') throw conflict(`removal of container ${c.id} is already in progress`);
    if (c.state.Status === 'restarting') await this.cancelRestart(c);
    if (c.state.Running) {
      c.hasBeenManuallyStopped = true;
      const exited = this.nextExit(c.id);
      await this.deps.runtime.kill(c.id, 'SIGKILL', { all: true }).catch((err) => this.ignoreGone(err));
      await exited;
    }
    await this.lock(c.id, () => this.removeLocked(c, options.volumes));
  }

  /** rm --link: drops a link from its parent, in its HostConfig and in the network area's copy (used at its next start). */
  private async removeLink(name: string): Promise<void> {
    const { parent, links } = linkRemoval(name, (n) => this.findOrUndefined(n));
    parent.hostConfig.Links = links;
    await this.deps.store.save(parent);
    await this.deps.networks.setLinks(parent.id, links);
  }

  private findOrUndefined(idOrName: string): Container | undefined {
    try {
      return this.deps.store.find(idOrName);
    } catch {
      return undefined;
    }
  }

  /** `removeAnonymous`: rm -v (and --rm) also removes the container's anonymous volumes, never named ones. */
  private async removeLocked(c: Container, removeAnonymous = false): Promise<void> {
    if (!this.deps.store.get(c.id)) return;
    const exitCode = c.state.ExitCode;
    markRemoving(c.state);
    this.stopWatching(c.id);
    this.attachments.cancel(c.id);
    try {
      await this.deps.runtime.delete(c.id, { force: true });
      await this.deps.layers.unmountRw(c.rwLayer, this.rootfsOf(c.id)).catch(() => undefined);
      await this.deps.layers.removeRw(c.rwLayer).catch((err) => {
        if (!isEngineError(err, 'notFound')) throw err;
      });
      await this.deps.planner.release(c.id, c.mounts ?? [], { removeAnonymous: removeAnonymous || !!c.hostConfig.AutoRemove });
      await this.deps.networks.unregister(c.id);
    } catch (err) {
      c.state.Status = 'dead';
      c.state.Dead = true;
      c.state.Error = (err as Error).message;
      await this.deps.store.save(c);
      throw err;
    }
    await this.deps.store.delete(c.id);
    this.execs.forget(c.id);
    this.locks.delete(c.id);
    this.rootfs.forget(c.id);
    this.live.delete(c.id);
    this.deps.events.publish('container', 'destroy', c.id, this.attributes(c));
    this.signals.emit(`removed:${c.id}`, exitCode);
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (!newName) throw invalid('Neither old nor new names may be empty');
    const name = normaliseName(newName);
    if (name === c.name) throw invalid(`Renaming a container with the same name as its current name`);
    const owner = this.deps.store.byName(name);
    if (owner) throw conflict(`Conflict. The container name "${name}" is already in use by container "${owner.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    const old = c.name;
    c.name = name;
    await this.deps.store.save(c);
    await this.deps.networks.rename(c.id, name.slice(1));
    this.deps.events.publish('container', 'rename', c.id, { ...this.attributes(c), oldName: old });
  }

  async update(idOrName: string, update: HostConfig): Promise<{ Warnings: string[] }> {
    const c = this.deps.store.find(idOrName);
    const next: HostConfig = { ...c.hostConfig };
    const resourceKeys = ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'BlkioWeight'] as const;
    for (const key of resourceKeys) if (update[key] !== undefined && update[key] !== 0 && update[key] !== '') (next as Record<string, unknown>)[key] = update[key];
    // As dockerd: an absent PidsLimit keeps the limit; 0 and -1 lift it (recorded as 0).
    const pids = update.PidsLimit;
    if (pids !== undefined && pids !== null) next.PidsLimit = Math.max(pids, 0);
    if (update.RestartPolicy?.Name) next.RestartPolicy = update.RestartPolicy;
    validateHostConfig({ ...next, PidsLimit: pids ?? next.PidsLimit }, { update: true });
    const lift = pids !== undefined && pids !== null && pids <= 0 ? { pidsLimit: -1 } : {};
    if (c.state.Running && c.state.Status !== 'restarting') await this.deps.runtime.update(c.id, { ...resourcesOf(next), ...lift });
    c.hostConfig = next;
    await this.deps.store.save(c);
    this.deps.events.publish('container', 'update', c.id, this.attributes(c));
    return { Warnings: [] };
  }

  async prune(filters: Map<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    checkPruneFilters(filters);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of this.deps.store.all()) {
      if (c.state.Running || c.state.Status === 'restarting' || !prunable(c, filters)) continue;
      const { SizeRw } = await this.sizes(c.id).catch(() => ({ SizeRw: 0 }));
      await this.remove(c.id, { force: false, volumes: false, link: false });
      deleted.push(c.id);
      reclaimed += SizeRw;
    }
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }

  // ---- stdio, logs and inspection of the running process ----

  async attach(idOrName: string, options: AttachOptions): Promise<StdioStreams & { tty: boolean }> {
    const c = this.deps.store.find(idOrName);
    const tty = !!c.config.Tty;
    if (c.state.Running && c.state.Status !== 'restarting') {
      if (c.state.Paused) throw conflict(`You cannot attach to a paused container, unpause it first`);
      const streams = { ...liveStreams(await this.deps.runtime.attach(c.id), options), tty };
      this.deps.events.publish('container', 'attach', c.id, this.attributes(c));
      return streams;
    }
    const pending = { ...this.attachments.add(c.id, options), tty };
    this.deps.events.publish('container', 'attach', c.id, this.attributes(c));
    return pending;
  }

  async resize(idOrName: string, height: number, width: number): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
    await this.deps.runtime.resize(c.id, { height, width });
  }

  async logs(idOrName: string, options: { follow: boolean; since?: Date; until?: Date; tail?: number; signal?: AbortSignal }) {
    const c = this.deps.store.find(idOrName);
    if (!logsReadable(c.hostConfig)) throw notImplemented('configured logging driver does not support reading');
    const follow = options.follow && c.state.Running;
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    if (follow) {
      // Following ends when the container stops, as docker logs -f does.
      const stop = () => setTimeout(() => controller.abort(), 200);
      this.signals.once(`exit:${c.id}`, stop);
      controller.signal.addEventListener('abort', () => this.signals.off(`exit:${c.id}`, stop), { once: true });
    }
    const read = { follow, since: options.since, until: options.until, tail: options.tail, signal: controller.signal };
    const rotated = logFiles(c.logPath, logLimits(c.hostConfig).maxFile).slice(0, -1);
    return { tty: !!c.config.Tty, entries: this.readLogs(rotated, c.logPath, read) };
  }

  /**
   * The rotated files, oldest first (those that exist), then the current one, which alone is
   * followed. With --tail, the last lines may start in a rotated file: those before them are skipped.
   */
  private async *readLogs(rotated: string[], current: string, read: LogReadOptions) {
    const once = { ...read, follow: false, tail: undefined };
    let skip = 0;
    if (read.tail !== undefined) {
      const missing = read.tail - (await this.countLogEntries([current], once));
      if (missing <= 0) return yield* this.deps.runtime.readLog(current, read);
      skip = Math.max(0, (await this.countLogEntries(rotated, once)) - missing);
      read = { ...read, tail: undefined };
    }
    for await (const entry of this.readExisting(rotated, once)) {
      if (skip > 0) skip--;
      else yield entry;
    }
    yield* this.deps.runtime.readLog(current, read);
  }

  /** Entries of the files that exist (a rotated file may not yet, or no longer). */
  private async *readExisting(files: string[], read: LogReadOptions) {
    for (const file of files) {
      try {
        yield* this.deps.runtime.readLog(file, read);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private async countLogEntries(files: string[], read: LogReadOptions): Promise<number> {
    let count = 0;
    for await (const _ of this.readExisting(files, read)) count++;
    return count;
  }

  async top(idOrName: string, psArgs: string): Promise<TopResult> {
    const c = this.deps.store.find(idOrName);
    if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
    const result = top(await this.deps.runtime.processes(c.id), psArgs);
    this.deps.events.publish('container', 'top', c.id, this.attributes(c));
    return result;
  }

  async stats(idOrName: string) {
    const container = this.deps.store.find(idOrName);
    const stats = container.state.Running && !container.state.Restarting ? await this.deps.runtime.stats(container.id).catch(() => null) : null;
    return { container, stats };
  }

  async changes(idOrName: string) {
    const c = this.deps.store.find(idOrName);
    return withoutPlaceholders(await this.deps.layers.changesRw(c.rwLayer)).map((change) => ({ Path: change.path, Kind: change.kind }));
  }

  // ---- the filesystem: export, commit, archive ----

  async export(idOrName: string): Promise<Readable> {
    const c = this.deps.store.find(idOrName);
    const tar = await this.withRootfs(c, (rootfs) => archive.exportRootfs(rootfs));
    this.deps.events.publish('container', 'export', c.id, this.attributes(c));
    return tar;
  }

  async commit(idOrName: string, options: { repo?: string; tag?: string; author?: string; comment?: string; changes: string[]; pause: boolean; config?: import('./types.js').ContainerConfig }): Promise<Digest> {
    const c = this.deps.store.find(idOrName);
    const pause = options.pause && c.state.Running && !c.state.Paused;
    if (pause) await this.deps.runtime.pause(c.id);
    try {
      const reference = options.repo ? `${options.repo}${options.tag ? `:${options.tag}` : ''}` : undefined;
      const id = await this.deps.images.commit({
        parent: c.image,
        layerTar: this.changesTar(c),
        config: { ...c.config, ...(options.config ?? {}) },
        changes: options.changes,
        author: options.author,
        comment: options.comment,
        containerId: c.id,
        createdBy: [c.path, ...c.args].join(' '),
        reference,
      });
      this.deps.events.publish('container', 'commit', c.id, { ...this.attributes(c), comment: options.comment ?? '', imageID: id });
      return id;
    } finally {
      if (pause) await this.deps.runtime.resume(c.id).catch(() => undefined);
    }
  }

  async archiveStat(idOrName: string, path: string) {
    const c = this.deps.store.find(idOrName);
    return this.withRootfs(c, async (rootfs) => archive.statPath(await this.fsInput(c, rootfs, idOrName), path));
  }

  async archiveGet(idOrName: string, path: string) {
    const c = this.deps.store.find(idOrName);
    const result = await this.withRootfs(c, async (rootfs) => archive.getArchive(await this.fsInput(c, rootfs, idOrName), path));
    // docker cp out of a container: dockerd's archive-path event.
    this.deps.events.publish('container', 'archive-path', c.id, { ...this.attributes(c), path });
    return result;
  }

  async archivePut(idOrName: string, path: string, tar: Readable, options: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean; chown?: string }): Promise<void> {
    const c = this.deps.store.find(idOrName);
    await this.withRootfs(c, async (rootfs) => archive.putArchive(await this.fsInput(c, rootfs, idOrName), path, tar, { ...options, user: c.config.User }));
    // docker cp into a container: dockerd's extract-to-dir event.
    this.deps.events.publish('container', 'extract-to-dir', c.id, { ...this.attributes(c), path });
  }

  async exportChanges(idOrName: string): Promise<Readable> {
    const c = this.deps.store.find(idOrName);
    return this.changesTar(c);
  }

  private changesTar(c: Container): Readable {
    return this.deps.layers.exportRw(c.rwLayer, new Set(MOUNT_PLACEHOLDERS.map((p) => p.slice(1))));
  }

  /** What the archive code needs to see the container's filesystem (volumes join in a later issue). */
  private async fsInput(c: Container, rootfs: string, asked: string): Promise<archive.ContainerFsInput> {
    const mounts = (c.mounts ?? [])
      .filter((m) => m.point.Type !== 'tmpfs')
      .map((m) => ({ destination: m.point.Destination, source: m.point.Source, readonly: !m.point.RW }));
    mounts.push(...(await etcArchiveMounts(c)));
    return { rootfs, mounts, container: asked, readonlyRootfs: !!c.hostConfig.ReadonlyRootfs };
  }

  /**
   * Runs `fn` with the container's filesystem mounted: the live mount when it
   * runs, else one made for it. The mount is held until the result (or its
   * stream) is done: an exit meanwhile does not unmount it (see RootfsHolds).
   */
  private async withRootfs<T>(c: Container, fn: (rootfs: string) => Promise<T> | T): Promise<T> {
    const letGo = await this.rootfs.hold(c.id);
    try {
      const result = await fn(this.rootfsOf(c.id));
      const stream = streamOf(result);
      if (stream) stream.once('close', () => void letGo());
      else await letGo();
      return result;
    } catch (err) {
      await letGo();
      throw err;
    }
  }

  // ---- exec ----

  async execCreate(idOrName: string, config: ExecConfig): Promise<string> {
    const c = this.deps.store.find(idOrName);
    const id = this.execs.create(c, config);
    this.deps.events.publish('container', `exec_create: ${config.Cmd.join(' ')}`, c.id, { ...this.attributes(c), execID: id });
    return id;
  }

  async execStart(execId: string, options: { detach: boolean; consoleSize?: [number, number] }): Promise<ExecStart> {
    const record = this.execs.get(execId);
    const c = this.deps.store.find(record.containerId);
    const started = await this.execs.start(c, execId, options);
    this.deps.events.publish('container', `exec_start: ${record.config.Cmd.join(' ')}`, c.id, { ...this.attributes(c), execID: execId });
    void started.exit.then((code) => this.deps.events.publish('container', 'exec_die', c.id, { ...this.attributes(c), execID: execId, exitCode: String(code) }));
    return started;
  }

  async execInspect(execId: string) {
    const record = this.execs.get(execId);
    return { ...record, container: this.deps.store.find(record.containerId) };
  }

  async execResize(execId: string, height: number, width: number): Promise<void> {
    await this.execs.resize(execId, height, width);
  }

  // ---- facts for other areas ----

  async usingImage(imageId: Digest): Promise<{ id: string; running: boolean }[]> {
    return this.deps.store.all().filter((c) => c.image === imageId).map((c) => ({ id: c.id, running: c.state.Running }));
  }

  /** What the network area needs to know of a container (for container: mode, --link, connect). */
  async facts(idOrName: string): Promise<ContainerFacts> {
    const c = this.deps.store.find(idOrName);
    return {
      id: c.id, name: c.name.slice(1), running: c.state.Running, pid: c.state.Pid,
      env: c.config.Env ?? [], exposedPorts: Object.keys(c.config.ExposedPorts ?? {}),
    };
  }

  async runningIds(): Promise<string[]> {
    return this.deps.store.all().filter((c) => c.state.Running && c.state.Status !== 'restarting').map((c) => c.id);
  }

  async counts() {
    const all = this.deps.store.all();
    const running = all.filter((c) => c.state.Running && !c.state.Paused).length;
    const paused = all.filter((c) => c.state.Paused).length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  // ---- daemon start and stop ----

  async recover(): Promise<void> {
    const { runtime, store } = this.deps;
    const users = new Map<string, string[]>();
    for (const c of store.all()) {
      for (const m of c.mounts ?? []) if (m.point.Type === 'volume' && m.point.Name) users.set(m.point.Name, [...(users.get(m.point.Name) ?? []), c.id]);
    }
    this.deps.volumes.setUsers(users);
    const found = new Map((await runtime.recover()).map((r) => [r.id, r]));
    for (const c of store.all()) {
      const r = found.get(c.id);
      found.delete(c.id);
      if (c.state.Status === 'removing') {
        await this.lock(c.id, () => this.removeLocked(c)).catch((err) => this.deps.log('warn', `removing ${c.id}: ${(err as Error).message}`));
        continue;
      }
      if (c.state.Running || c.state.Status === 'restarting') {
        if (r?.exit) await this.onExit(c.id, r.exit);
        else if (r?.state && r.conmonAlive && (r.state.status === 'running' || r.state.status === 'paused')) {
          await this.deps.planner.recover(c.id, c.mounts ?? []);
          this.watchExit(c);
          this.startHealth(c);
        } else {
          await this.onExit(c.id, { exitCode: 255, exitedAt: new Date(), oomKilled: false }, 'container was gone when berthd started');
        }
        continue;
      }
      const policy = c.hostConfig.RestartPolicy?.Name;
      if ((policy === 'always' || (policy === 'unless-stopped' && !c.hasBeenManuallyStopped)) && c.state.Status !== 'created') {
        await this.start(c.id).catch((err) => this.deps.log('warn', `restarting ${c.id}: ${(err as Error).message}`));
      }
    }
    for (const orphan of found.keys()) await runtime.delete(orphan, { force: true }).catch(() => undefined);
  }

  async stopAll(): Promise<void> {
    const running = this.deps.store.all().filter((c) => c.state.Running && c.state.Status !== 'restarting');
    // Not a manual stop: restart policies bring them back when berthd starts again, as dockerd's do.
    this.stopping = true;
    await Promise.all(running.map((c) => this.stopProcess(c, {}).catch((err) => this.deps.log('warn', `stopping ${c.id}: ${(err as Error).message}`))));
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const [id] of this.live) this.stopWatching(id);
  }

  // ---- exits and restarts ----

  private watchExit(c: Container): void {
    const live = this.liveOf(c.id);
    live.exitWatch?.abort();
    const controller = new AbortController();
    live.exitWatch = controller;
    this.keepLogs(c, live);
    this.deps.runtime.waitExit(c.id, controller.signal).then(
      (exit) => this.onExit(c.id, exit),
      (err) => {
        if (controller.signal.aborted) return;
        void this.onExit(c.id, { exitCode: 255, exitedAt: new Date(), oomKilled: false }, `lost track of the container: ${(err as Error).message}`);
      },
    );
  }

  private async onExit(id: string, exit: ExitStatus, error?: string): Promise<void> {
    let restart: { delayMs: number } | null = null;
    let autoRemove = false;
    const c = this.deps.store.get(id);
    if (!c) return;
    await this.lock(id, async () => {
      if (!c.state.Running && c.state.Status !== 'restarting') return;
      const ranForMs = Date.now() - Date.parse(c.state.StartedAt);
      const live = this.liveOf(id);
      // Decided before anything is torn down, so the state goes straight to "restarting" (never "exited" in between).
      const decision = decideRestart(c.hostConfig.RestartPolicy, {
        exitCode: exit.exitCode, manuallyStopped: c.hasBeenManuallyStopped, restartCount: c.restartCount,
        ranForMs, previousDelayMs: live.lastDelayMs, daemonStopping: this.stopping,
      });
      markExited(c.state, { ...exit, error }, decision.restart ? 'restarting' : 'exited');
      if (decision.restart) {
        c.restartCount++;
        live.lastDelayMs = decision.delayMs;
        restart = decision;
      }
      live.health?.stop();
      live.health = undefined;
      await live.logKeeper?.stop();
      live.logKeeper = undefined;
      await this.deps.runtime.delete(id, { force: true }).catch(() => undefined);
      await this.deps.planner.teardown(id, c.mounts ?? []).catch((err) => this.deps.log('warn', `unmounting volumes of ${id}: ${(err as Error).message}`));
      await this.deps.networks.detach(id).catch((err) => this.deps.log('warn', `network teardown of ${id}: ${(err as Error).message}`));
      await this.rootfs.release(id);
      unmountShareableShm(this.deps.store.dirOf(id));
      autoRemove = !decision.restart && !!c.hostConfig.AutoRemove;
      await this.deps.store.save(c);
    });
    this.deps.events.publish('container', 'die', id, { ...this.attributes(c), exitCode: String(exit.exitCode) });
    if (exit.oomKilled) this.deps.events.publish('container', 'oom', id, this.attributes(c));
    this.signals.emit(`exit:${id}`, exit.exitCode);
    if (restart) this.scheduleRestart(c, (restart as { delayMs: number }).delayMs);
    else if (autoRemove) await this.lock(id, () => this.removeLocked(c)).catch((err) => this.deps.log('warn', `auto-removing ${id}: ${(err as Error).message}`));
  }

  private scheduleRestart(c: Container, delayMs: number): void {
    const live = this.liveOf(c.id);
    live.restartTimer = setTimeout(() => {
      live.restartTimer = undefined;
      void this.lock(c.id, async () => {
        if (c.state.Status !== 'restarting') return;
        await this.startLocked(c, true);
      }).catch(async (err) => {
        this.deps.log('warn', `restart of ${c.id} failed: ${(err as Error).message}`);
        await this.onExit(c.id, { exitCode: c.state.ExitCode || 128, exitedAt: new Date(), oomKilled: false }, (err as Error).message).catch(() => undefined);
      });
    }, delayMs);
  }

  private async cancelRestart(c: Container): Promise<void> {
    const live = this.liveOf(c.id);
    if (live.restartTimer) clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
    await this.lock(c.id, async () => {
      if (c.state.Status !== 'restarting') return;
      c.hasBeenManuallyStopped = true;
      markExited(c.state, { exitCode: c.state.ExitCode, exitedAt: new Date(), oomKilled: false });
      await this.deps.store.save(c);
    });
  }

  private startHealth(c: Container): void {
    const args = probeArgs(c.config.Healthcheck);
    if (!args || !c.state.Health) return;
    const monitor = new HealthMonitor(c.state.Health, c.config.Healthcheck!, args, (probe, timeoutMs) => this.runProbe(c, probe, timeoutMs), (status, changed) => {
      void this.deps.store.save(c);
      if (changed) this.deps.events.publish('container', `health_status: ${status}`, c.id, this.attributes(c));
    });
    this.liveOf(c.id).health = monitor;
    monitor.start();
  }

  private async runProbe(c: Container, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const execId = this.execs.create(c, { Cmd: args, AttachStdout: true, AttachStderr: true });
    const { streams, exit } = await this.execs.start(c, execId, { detach: false });
    let output = '';
    streams?.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    streams?.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const code = await Promise.race([exit, delay(timeoutMs).then(() => null)]);
    this.execs.forgetOne(execId);
    if (code === null) {
      streams?.close();
      return { exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
    }
    return { exitCode: code, output };
  }

  // ---- helpers ----

  rootfsOf(id: string): string {
    return join(this.deps.store.dirOf(id), 'rootfs');
  }

  private liveOf(id: string): Live {
    let live = this.live.get(id);
    if (!live) {
      live = { lastDelayMs: 0 };
      this.live.set(id, live);
    }
    return live;
  }

  /** With json-file's max-file > 1, keep the files conmon replaces (see logging.ts). */
  private keepLogs(c: Container, live: Live): void {
    const { maxSize, maxFile } = logLimits(c.hostConfig);
    if (live.logKeeper || maxSize <= 0 || maxFile <= 1) return;
    live.logKeeper = new LogKeeper(c.logPath, maxFile, (message) => this.deps.log('warn', `${c.id}: ${message}`));
    live.logKeeper.start().catch((err) => this.deps.log('warn', `${c.id}: keeping rotated logs: ${(err as Error).message}`));
  }

  private stopWatching(id: string): void {
    const live = this.live.get(id);
    void live?.logKeeper?.stop({ keepHeld: true });
    live?.exitWatch?.abort();
    live?.health?.stop();
    if (live?.restartTimer) clearTimeout(live.restartTimer);
  }

  private nextExit(id: string): Promise<number> {
    return new Promise((resolve) => this.signals.once(`exit:${id}`, resolve));
  }

  private lock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }

  private chooseName(requested: string | undefined): string {
    if (requested) {
      const name = normaliseName(requested);
      const owner = this.deps.store.byName(name);
      if (owner) {
        throw conflict(`Conflict. The container name "${name}" is already in use by container "${owner.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
      return name;
    }
    for (let retry = 0; ; retry++) {
      const name = `/${generateName(retry)}`;
      if (!this.deps.store.byName(name)) return name;
    }
  }

  private attributes(c: Container): Record<string, string> {
    return { ...(c.config.Labels ?? {}), image: c.imageName, name: c.name.slice(1) };
  }

  private ignoreGone(err: unknown): void {
    if (isEngineError(err, 'notFound') || isEngineError(err, 'conflict')) return;
    throw err;
  }
}

/** A kill event's signal attribute is the number, as dockerd writes it ("15"); names without a number stay as given. */
function signalNumber(signal: string): string {
  if (/^\d+$/.test(signal)) return signal;
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  const number = (osConstants.signals as Record<string, number>)[name];
  return number === undefined ? signal : String(number);
}

/** Docker's EndpointSettings, as /containers/create carries them in NetworkingConfig. */
interface DockerEndpointSettings {
  IPAMConfig?: { IPv4Address?: string } | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
  MacAddress?: string;
}

function endpointRequestOf(e: DockerEndpointSettings | null | undefined): ContainerNetworkConfig['endpoints'][string] {
  return {
    aliases: e?.Aliases?.length ? e.Aliases : undefined,
    ipv4Address: e?.IPAMConfig?.IPv4Address || undefined,
    links: e?.Links?.length ? e.Links : undefined,
    macAddress: e?.MacAddress || undefined,
  };
}

/** The network side of a create request, as the network area takes it. */
function networkConfigOf(c: Container, request: CreateRequest): ContainerNetworkConfig {
  const h = request.hostConfig;
  const given = (request.networkingConfig as { EndpointsConfig?: Record<string, DockerEndpointSettings | null> } | undefined)?.EndpointsConfig ?? {};
  // The docker CLI names the default network's endpoint after the mode ("default"): that is the bridge.
  const endpoints = Object.fromEntries(Object.entries(given).map(([name, e]) => [name === 'default' ? 'bridge' : name, endpointRequestOf(e)]));
  return {
    name: c.name.slice(1),
    hostname: c.config.Hostname ?? '',
    domainname: c.config.Domainname ?? '',
    networkMode: h.NetworkMode ?? '',
    endpoints,
    portBindings: (h.PortBindings ?? {}) as ContainerNetworkConfig['portBindings'],
    publishAllPorts: !!h.PublishAllPorts,
    exposedPorts: Object.keys(c.config.ExposedPorts ?? {}),
    macAddress: (c.config as { MacAddress?: string }).MacAddress || undefined,
    dns: h.Dns ?? [],
    dnsSearch: h.DnsSearch ?? [],
    dnsOptions: h.DnsOptions ?? [],
    extraHosts: h.ExtraHosts ?? [],
    links: h.Links ?? [],
  };
}

/**
 * Files and directories the runtime creates in the rw layer as mount points
 * when the image lacks them. Docker keeps them in a per-container "init" layer,
 * so they never show in diff or commit; berth leaves them out instead.
 */
const MOUNT_PLACEHOLDERS = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/.dockerenv', '/dev/console', '/dev/pts', '/dev/shm', '/dev/mqueue', '/proc', '/sys'];

/** Drops placeholder entries, and directories that appear only because a placeholder was created in them. */
function withoutPlaceholders<T extends { path: string; kind: number }>(changes: T[]): T[] {
  const kept = changes.filter((c) => !MOUNT_PLACEHOLDERS.includes(c.path));
  const placeholderParents = new Set(MOUNT_PLACEHOLDERS.map((p) => p.slice(0, p.lastIndexOf('/')) || '/'));
  return kept.filter((c) => c.kind !== 0 || !placeholderParents.has(c.path) || kept.some((o) => o.path.startsWith(`${c.path}/`)));
}

/** Stop grace periods may be longer than one Node timer holds (stop -t 3000000). */
const delay = longDelay;

function streamOf(value: unknown): Readable | null {
  if (value && typeof value === 'object') {
    if ('pipe' in value && typeof (value as Readable).pipe === 'function') return value as Readable;
    const tar = (value as { tar?: unknown }).tar;
    if (tar && typeof (tar as Readable).pipe === 'function') return tar as Readable;
  }
  return null;
}
