import { chainIds, randomId, type Digest } from '../../lib/digest.js';
import { phase } from '../../lib/phases.js';
import { conflict, EngineError, inContext, invalid, isEngineError } from '../../lib/errors.js';
import { directorySize } from '../../lib/dir-size.js';
import { longDelay } from '../../lib/timers.js';
import { allDone } from '../../lib/all-done.js';
import type { Readable } from 'node:stream';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ContainerFacts } from '../network/types.js';
import { PendingAttachments, liveStreams } from './attachers.js';
import { ContainerContext, type ContainerServiceDeps } from './context.js';
import { createEtcPlaceholders, createInitEntries, rewriteNetworkFiles, setupEtcFiles } from './etc-files.js';
import { ExecManager } from './exec.js';
import { ContainerFilesystem, PLACEHOLDER_PATHS, type CommitOptions } from './filesystem.js';
import { checkPruneFilters, filterContainers, prunable } from './filters.js';
import { withCreateDefaults } from './host-defaults.js';
import { probeArgs } from './health.js';
import { linkRemoval } from './links.js';
import { checkLogValues, logLimits, logsReadable, mergeLogConfig, withDefaultUlimits } from './logging.js';
import { ContainerLogs, type LogsOptions } from './logs-reader.js';
import { commandOf, mergeImageConfig } from './merge.js';
import { ContainerMonitor } from './monitor.js';
import { joinedNamespaces, resolveNamespaceTargets } from './namespace-targets.js';
import { generateName, normaliseName } from './names.js';
import { networkConfigOf, sysctlsNeedPlumbing } from './network-config.js';
import { recoverContainers } from './recovery.js';
import { removeContainer } from './removal.js';
import { resourcesOf, runtimeSpecOf } from './runtime-spec.js';
import { unmountShareableShm } from './shm.js';
import { signalNumber } from './signal-number.js';
import { normaliseSignal } from '../../lib/signals.js';
import { startFailure } from './start-failure.js';
import { initialState, isRunning, markPaused, markRunning, markStartFailed, removalRefusal } from './state.js';
import { top } from './top.js';
import { resolveUser } from './user.js';
import { checkLinks } from './validate-network.js';
import { checkImagePlatform } from './validate-platform.js';
import { validateCreate, validateHostConfig } from './validate.js';
import { ensureDirInRoot } from './workdir.js';
import type {
  AttachOptions, Container, ContainerService, CreateRequest, ExecConfig, ExecStart, HostConfig, ListOptions, StdioStreams, TopResult, WaitResult,
} from './types.js';

export type { ContainerServiceDeps } from './context.js';

const STOP_GRACE_DEFAULT_S = 10;

/**
 * Containers on this host: records, names and the state machine, over the
 * runtime (conmon + runc) and the layer store. Every state change of one
 * container goes through that container's lock; exits are observed through
 * conmon's exit files, so they are found even when they happened while
 * berthd was down.
 */
export class LocalContainerService implements ContainerService {
  private readonly ctx: ContainerContext;
  private readonly deps: ContainerServiceDeps;
  private readonly attachments = new PendingAttachments();
  private readonly execs: ExecManager;
  private readonly monitor: ContainerMonitor;
  private readonly filesystem: ContainerFilesystem;
  private readonly logReader: ContainerLogs;

  constructor(deps: ContainerServiceDeps) {
    this.deps = deps;
    this.ctx = new ContainerContext(deps);
    this.execs = new ExecManager(deps.runtime, (id) => this.ctx.rootfsOf(id));
    this.monitor = new ContainerMonitor(this.ctx, this.execs, {
      restart: (c) => this.startLocked(c, true),
      remove: (c) => this.removeLocked(c),
    });
    this.filesystem = new ContainerFilesystem(this.ctx);
    this.logReader = new ContainerLogs(this.ctx);
  }

  // ---- create, inspect, list ----

  async create(request: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    const { store, images, layers } = this.deps;
    const id = randomId();
    phase(id, 'create:begin');
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
    phase(id, 'create:validated');
    await store.add(container);
    phase(id, 'create:added');
    let warnings: string[] = [];
    let registered: Promise<void> | undefined;
    try {
      // The rw layer and the etc placeholders go beside the volume plan and the network record:
      // independent file work, whose waits (the thread pool, fsyncs) need not add up.
      const filesystem = layers.createRw(id, image.topLayer).then(() => phase(id, 'create:rw-layer'));
      const placeholders = createEtcPlaceholders(container);
      const planned = this.plan(container, request);
      registered = planned.then(() => this.register(container, request));
      registered.catch(() => undefined); // awaited below, or settled in the catch
      await allDone([filesystem, placeholders, planned]);
      warnings = [...validationWarnings, ...(await planned)];
      // The two durable records (this one and the network record) are written at once, their fsyncs
      // overlapping: the answer waits for both. A crash before that may leave the container's
      // record without the network's: recovery discards such a container, as a create that never finished.
      await allDone([registered, store.save(container).then(() => phase(id, 'create:saved'))]);
    } catch (err) {
      await registered?.catch(() => undefined); // a network record still being written would outlive the discard
      await this.discardCreated(container);
      throw err;
    }
    this.deps.events.publish('container', 'create', id, this.attributes(container));
    return { Id: id, Warnings: warnings };
  }

  /** Undoes a create that did not finish: it failed, or berthd stopped before its records were durable (recovery). */
  private async discardCreated(container: Container): Promise<void> {
    const { id } = container;
    await this.deps.networks.unregister(id).catch(() => undefined);
    await this.deps.layers.removeRw(id).catch(() => undefined);
    if (container.mounts) await this.deps.planner.release(id, container.mounts, { removeAnonymous: true }).catch(() => undefined);
    await this.deps.store.delete(id);
  }

  /** create's volume plan (container.mounts); its warnings. */
  private async plan(container: Container, request: CreateRequest): Promise<string[]> {
    const { id, config } = container;
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
    phase(id, 'create:volumes');
    return planned.warnings;
  }

  /** create's network record (durable), after the plan so that errors come in dockerd's order. */
  private async register(container: Container, request: CreateRequest): Promise<void> {
    checkLinks(request.hostConfig, (name) => this.deps.store.find(name));
    await this.deps.networks.register(container.id, networkConfigOf(container, request));
    phase(container.id, 'create:network-registered');
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
    const sizeRw = rw ? await directorySize(rw.diffDir, PLACEHOLDER_PATHS) : 0;
    const image = await this.deps.images.resolve(container.image).catch(() => undefined);
    return { SizeRw: sizeRw, SizeRootFs: sizeRw + (image?.size ?? 0) };
  }

  /**
   * Inspect's GraphDriver of a container, as dockerd's overlay2 shows it: the
   * container's own layer is UpperDir and WorkDir, its mounted root MergedDir,
   * and the image's layers (top first) LowerDir. vfs has no such parts (null, as dockerd's vfs).
   */
  async graphDriver(id: string): Promise<{ Name: string; Data: Record<string, string> | null }> {
    const container = this.deps.store.find(id);
    const { driver } = this.deps.layers;
    const rw = await this.deps.layers.getRw(container.rwLayer);
    if (driver !== 'overlay2' || !rw) return { Name: driver, Data: null };
    const image = await this.deps.images.resolve(container.image).catch(() => undefined);
    const lower = chainIds(image?.config.rootfs.diff_ids ?? []).map((layer) => this.deps.layers.diffDir(layer)).reverse();
    const data: Record<string, string> = { MergedDir: this.ctx.rootfsOf(container.id), UpperDir: rw.diffDir, WorkDir: rw.diffDir.replace(/\/diff$/, '/work') };
    if (lower.length > 0) data.LowerDir = lower.join(':');
    return { Name: driver, Data: data };
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
    const rootfs = this.ctx.rootfsOf(c.id);
    let letGo: (() => Promise<void>) | undefined;
    let prepared: Promise<unknown> | undefined;
    try {
      checkLogValues(c.hostConfig.LogConfig);
      const joined = await joinedNamespaces(c, { find: (id) => this.deps.store.find(id), dirOf: (id) => this.deps.store.dirOf(id) });
      phase(c.id, 'start:begin');
      // The sandbox (netns, veths: `ip` spawns), then the etc files it decides, are made while the rootfs is
      // mounted and the volumes set up; a bundle left by the previous run goes meanwhile too. The sandbox is
      // plumbed inside while the runtime creates the container in it (see sysctlsNeedPlumbing).
      const staged = this.deps.networks.attachStaged(c.id);
      const attached = staged.ready;
      const etcFiles = (sysctlsNeedPlumbing(c.hostConfig.Sysctls) ? attached : staged.early).then(async (network) => {
        if (network.networkDisabled) c.config.NetworkDisabled = true; // as dockerd under -b none; saved with the state
        phase(c.id, 'start:network-attached');
        await setupEtcFiles(c, network, (id) => this.deps.store.find(id));
        return network;
      });
      const cleared = this.ctx.runtimeCleanups.after(c.id, () => runtime.delete(c.id, { force: true })); // after the last exit's
      prepared = Promise.allSettled([etcFiles, cleared, attached]); // awaited below, or in the catch
      letGo = await this.ctx.rootfs.hold(c.id);
      phase(c.id, 'start:rootfs-mounted');
      createInitEntries(rootfs);
      const { user, home } = await resolveUser(rootfs, c.config.User ?? '', c.hostConfig.GroupAdd ?? []);
      if (c.config.WorkingDir) await ensureDirInRoot(rootfs, c.config.WorkingDir, user);
      const mounts = await this.deps.planner.setup(c.id, c.mounts ?? [], rootfs);
      phase(c.id, 'start:user-volumes');
      const network = await etcFiles;
      await cleared;
      phase(c.id, 'start:etc-files');
      const ulimits = withDefaultUlimits(c.hostConfig.Ulimits, this.deps.defaults?.().ulimits ?? []);
      const spec = runtimeSpecOf({ ...c, hostConfig: { ...c.hostConfig, Ulimits: ulimits } }, { rootfs, user, home, mounts, joined, network: { namespace: network.namespace, env: network.linkEnv } });
      const created = await runtime.create(spec, {
        // As moby's attach: StdinOnce closes stdin when the first client goes, but never for a tty,
        // so that ctrl-p ctrl-q and a later attach find the shell still listening.
        tty: !!c.config.Tty, openStdin: !!c.config.OpenStdin, stdinOnce: !!c.config.StdinOnce && !c.config.Tty, logPath: logsReadable(c.hostConfig) ? c.logPath : null,
        logSizeMax: logLimits(c.hostConfig).maxSize,
      });
      phase(c.id, 'start:runtime-created');
      await attached; // interfaces, routes and resolver in place before the process runs
      phase(c.id, 'start:network-plumbed');
      await this.attachments.connect(c.id, () => runtime.attach(c.id));
      phase(c.id, 'start:attached');
      await runtime.start(c.id);
      phase(c.id, 'start:runtime-started');
      markRunning(c.state, created.pid);
      if (c.state.Health) c.state.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
    } catch (err) {
      await prepared; // a sandbox still being built would be left behind, a bundle removed under the next delete
      await runtime.delete(c.id, { force: true }).catch(() => undefined);
      await this.deps.planner.teardown(c.id, c.mounts ?? []).catch(() => undefined);
      await this.deps.networks.detach(c.id).catch(() => undefined);
      await (letGo ? letGo() : this.ctx.rootfs.release(c.id)); // not running: unmounted unless a reader holds it
      unmountShareableShm(this.deps.store.dirOf(c.id));
      this.attachments.cancel(c.id);
      const failure = startFailure(err);
      markStartFailed(c.state, failure.message, failure.exitCode);
      await this.deps.store.saveState(c);
      // As Docker: an --rm container that cannot start is removed (and its waiters told).
      if (c.hostConfig.AutoRemove) await this.removeLocked(c).catch(() => undefined);
      throw failure.error;
    }
    await letGo();
    c.hasBeenManuallyStopped = false;
    await this.deps.store.saveState(c);
    phase(c.id, 'start:saved');
    this.monitor.watchExit(c);
    this.monitor.startHealth(c);
    this.deps.events.publish('container', 'start', c.id, this.attributes(c));
  }

  async stop(idOrName: string, options: { timeout?: number; signal?: string }): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (c.state.Status === 'restarting') return this.monitor.cancelRestart(c);
    if (!c.state.Running) throw new EngineError('notModified', 'container already stopped');
    phase(c.id, 'stop:request');
    c.hasBeenManuallyStopped = true;
    await this.deps.store.saveState(c);
    await this.stopProcess(c, options);
    this.deps.events.publish('container', 'stop', c.id, this.attributes(c));
    phase(c.id, 'stop:answered');
  }

  /** Signals, waits the grace period, then kills; resolves once the exit has been handled. */
  private async stopProcess(c: Container, options: { timeout?: number; signal?: string }): Promise<void> {
    const exited = this.ctx.nextExit(c.id);
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
    if (c.state.Status === 'restarting') await this.monitor.cancelRestart(c);
    if (c.state.Running) {
      c.hasBeenManuallyStopped = true;
      await this.stopProcess(c, options);
      this.deps.events.publish('container', 'stop', c.id, this.attributes(c)); // dockerd 20.10's restart stops, then starts
    }
    await this.lock(c.id, () => this.startLocked(c, false));
    this.deps.events.publish('container', 'restart', c.id, this.attributes(c));
  }

  async kill(idOrName: string, signal = 'SIGKILL'): Promise<void> {
    normaliseSignal(signal); // dockerd refuses a bad signal before it looks for the container
    let c: Container;
    try {
      c = this.deps.store.find(idOrName);
    } catch (err) {
      throw inContext(`Cannot kill container: ${idOrName}`, err); // dockerd's route wraps every kill error so
    }
    if (!c.state.Running || c.state.Status === 'restarting') {
      // dockerd 20.10's capitals, and the container named as the client named it.
      throw conflict(`Cannot kill container: ${idOrName}: Container ${c.id} is not running`);
    }
    // As Docker: a killed container counts as stopped by hand, so its restart policy leaves it be.
    c.hasBeenManuallyStopped = true;
    await this.deps.store.saveState(c);
    const exited = /^(SIG)?KILL$|^9$/i.test(signal) ? this.ctx.nextExit(c.id) : null;
    await this.deps.runtime.kill(c.id, signal);
    this.deps.events.publish('container', 'kill', c.id, { ...this.attributes(c), signal: signalNumber(signal) });
    if (exited) await exited;
  }

  async pause(idOrName: string): Promise<void> {
    const c = this.deps.store.find(idOrName);
    await this.lock(c.id, async () => {
      if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
      if (c.state.Paused) throw conflict(`Container ${c.id} is already paused`);
      await this.deps.runtime.pause(c.id);
      markPaused(c.state, true);
      await this.deps.store.saveState(c);
    });
    this.deps.events.publish('container', 'pause', c.id, this.attributes(c));
  }

  async unpause(idOrName: string): Promise<void> {
    const c = this.deps.store.find(idOrName);
    await this.lock(c.id, async () => {
      // dockerd 20.10 says 500 for this client's mistake; its words, with 409.
      if (!c.state.Paused) throw conflict(`Container ${c.id} is not paused`);
      await this.deps.runtime.resume(c.id);
      markPaused(c.state, false);
      await this.deps.store.saveState(c);
    });
    this.deps.events.publish('container', 'unpause', c.id, this.attributes(c));
  }

  async wait(idOrName: string, condition: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<WaitResult> {
    const c = this.deps.store.find(idOrName);
    if (condition === 'not-running' && !c.state.Running && c.state.Status !== 'restarting') return { StatusCode: c.state.ExitCode, Error: waitError(c) };
    const event = condition === 'removed' ? `removed:${c.id}` : `exit:${c.id}`;
    return new Promise<WaitResult>((resolve, reject) => {
      const onEvent = (code: number) => {
        signal?.removeEventListener('abort', onAbort);
        resolve({ StatusCode: code, Error: null });
      };
      const onAbort = () => {
        this.ctx.signals.off(event, onEvent);
        reject(new EngineError('unavailable', 'wait cancelled'));
      };
      this.ctx.signals.once(event, onEvent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async remove(idOrName: string, options: { force: boolean; volumes: boolean; link: boolean }): Promise<void> {
    if (options.link) return this.removeLink(idOrName);
    const c = this.deps.store.find(idOrName);
    const refusal = options.force ? null : removalRefusal(c.id, c.state);
    if (refusal) throw conflict(refusal);
    if (c.state.Status === 'removing') throw conflict(`removal of container ${c.id} is already in progress`);
    phase(c.id, 'rm:request');
    if (c.state.Status === 'restarting') await this.monitor.cancelRestart(c);
    if (c.state.Running) {
      c.hasBeenManuallyStopped = true;
      const exited = this.ctx.nextExit(c.id);
      await this.deps.runtime.kill(c.id, 'SIGKILL', { all: true }).catch((err) => this.ignoreGone(err));
      await exited;
    }
    await this.lock(c.id, () => this.removeLocked(c, options.volumes));
    phase(c.id, 'rm:answered');
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

  /** `removeAnonymous`: rm -v (and --rm) also removes the container's anonymous volumes, never named ones (removal.ts). */
  private removeLocked(c: Container, removeAnonymous = false): Promise<void> {
    return removeContainer(this.ctx, { monitor: this.monitor, attachments: this.attachments, execs: this.execs }, c, removeAnonymous);
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (!newName) throw invalid('Neither old nor new names may be empty');
    let name: string;
    try {
      name = normaliseName(newName);
    } catch (err) {
      throw inContext('Error when allocating new name', err); // dockerd's rename wraps its name reservation's errors
    }
    if (name === c.name) throw invalid(`Renaming a container with the same name as its current name`);
    const owner = this.deps.store.byName(name);
    if (owner) throw conflict(`Error when allocating new name: Conflict. The container name "${name}" is already in use by container "${owner.id}". You have to remove (or rename) that container to be able to reuse that name.`);
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
    // As dockerd: the update is checked on its own terms (AutoRemove is not part of it), then against the container.
    validateHostConfig({ ...next, AutoRemove: false, PidsLimit: pids ?? next.PidsLimit }, { update: true });
    if (c.hostConfig.AutoRemove && !['', 'no'].includes(update.RestartPolicy?.Name ?? '')) {
      throw conflict(`Cannot update container ${c.id}: Restart policy cannot be updated because AutoRemove is enabled for the container`);
    }
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
    const settled = () => this.ctx.exitRecorded(c.id);
    if (c.state.Running && c.state.Status !== 'restarting') {
      if (c.state.Paused) throw conflict(`You cannot attach to a paused container, unpause it first`);
      const streams = { ...liveStreams(await this.deps.runtime.attach(c.id), options), tty, settled };
      this.deps.events.publish('container', 'attach', c.id, this.attributes(c));
      return streams;
    }
    const pending = { ...this.attachments.add(c.id, options), tty, settled };
    this.deps.events.publish('container', 'attach', c.id, this.attributes(c));
    return pending;
  }

  async resize(idOrName: string, height: number, width: number): Promise<void> {
    const c = this.deps.store.find(idOrName);
    if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
    await this.deps.runtime.resize(c.id, { height, width });
  }

  logs(idOrName: string, options: LogsOptions) {
    return this.logReader.logs(idOrName, options);
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

  // ---- the filesystem: diff, export, commit, archive (filesystem.ts) ----

  changes(idOrName: string) {
    return this.filesystem.changes(idOrName);
  }

  export(idOrName: string): Promise<Readable> {
    return this.filesystem.export(idOrName);
  }

  commit(idOrName: string, options: CommitOptions): Promise<Digest> {
    return this.filesystem.commit(idOrName, options);
  }

  archiveStat(idOrName: string, path: string) {
    return this.filesystem.archiveStat(idOrName, path);
  }

  archiveGet(idOrName: string, path: string) {
    return this.filesystem.archiveGet(idOrName, path);
  }

  archivePut(idOrName: string, path: string, tar: Readable, options: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean; chown?: string }): Promise<void> {
    return this.filesystem.archivePut(idOrName, path, tar, options);
  }

  exportChanges(idOrName: string): Promise<Readable> {
    return this.filesystem.exportChanges(idOrName);
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

  async updateEtcFiles(id: string, contents: { hosts: string; resolvConf: string }): Promise<void> {
    await rewriteNetworkFiles(this.deps.store.find(id), contents);
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

  recover(): Promise<void> {
    return recoverContainers(this.ctx, this.monitor, { remove: (c) => this.removeLocked(c), start: (id) => this.start(id), discard: (c) => this.discardCreated(c) });
  }

  async stopAll(): Promise<void> {
    const running = this.deps.store.all().filter((c) => c.state.Running && c.state.Status !== 'restarting');
    // Not a manual stop: restart policies bring them back when berthd starts again, as dockerd's do.
    this.monitor.stopping = true;
    await Promise.all(running.map((c) => this.stopProcess(c, {}).catch((err) => this.deps.log('warn', `stopping ${c.id}: ${(err as Error).message}`))));
  }

  async shutdown(): Promise<void> {
    this.monitor.shutdown();
    await this.ctx.runtimeCleanups.settled();
  }

  // ---- helpers ----

  rootfsOf(id: string): string {
    return this.ctx.rootfsOf(id);
  }

  private lock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.ctx.lock(id, fn);
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
    return this.ctx.attributes(c);
  }

  private ignoreGone(err: unknown): void {
    if (isEngineError(err, 'notFound') || isEngineError(err, 'conflict')) return;
    throw err;
  }
}

/** Stop grace periods may be longer than one Node timer holds (stop -t 3000000). */
const delay = longDelay;

/**
 * As dockerd's wait on a container that is not running: the error of its last start (a start that
 * failed), else null. Waits that were waiting for an exit or a removal get null, as dockerd's do
 * (the docker CLI's run would print "Error waiting for container" otherwise).
 */
function waitError(c: Container): WaitResult['Error'] {
  return c.state.Error ? { Message: c.state.Error } : null;
}
