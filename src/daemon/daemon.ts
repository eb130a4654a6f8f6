import { mkdir, rm, writeFile, unlink, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiHandler, type ApiHandlers } from '../api/server.js';
import { LocalBuilder } from '../engine/builder/service.js';
import { ShellLex } from '../engine/builder/dockerfile/lex.js';
import * as sys from '../platform/linux/sys.js';
import { FsContentStore } from '../engine/content/store.js';
import { MemoryEventBus } from '../engine/events/bus.js';
import { EventJournal } from '../engine/events/journal.js';
import { ImageStore } from '../engine/images/store.js';
import { ReferenceStore } from '../engine/images/refstore.js';
import { LocalImageService } from '../engine/images/service.js';
import { ConmonRuncRuntime } from '../engine/runtime/runtime.js';
import { ContainerStore } from '../engine/containers/store.js';
import { LocalContainerService } from '../engine/containers/service.js';
import { LocalVolumeService } from '../engine/volumes/store.js';
import { LocalMountPlanner } from '../engine/volumes/planner.js';
import { LinuxNetworkService } from '../engine/network/service.js';
import { RegistryDistributionService } from '../engine/distribution/service.js';
import { openLayerStore } from './storage.js';
import { lockDataRoot } from './lock.js';
import { expandSocketActivation, listen, type Listener, type ServerTls } from './listeners.js';
import { DaemonSystem, engineId } from './system.js';
import { checkPlainTcp, loadServerTls } from './remote.js';
import { BERTH_VERSION } from './version.js';
import { applyReload, NO_DEFAULT_BRIDGE, reloadAttributes, type DaemonConfig } from './config.js';
import { hostname } from 'node:os';
import type { RegistrySettings } from '../engine/distribution/types.js';
import type { Logger } from './log.js';

export interface RunningDaemon {
  listeners: Listener[];
  stop(): Promise<void>;
  /** Applies the reloadable settings of a new config (SIGHUP). */
  reload(config: DaemonConfig): void;
}

/**
 * Events kept in memory for /events?since= (and reloaded from the data root's events.log at start).
 * Bounded by count: an event carries its container's labels, so a few are large.
 */
const EVENT_HISTORY = 1024;

/**
 * The composition root: opens the stores on the data root, picks the
 * implementations (fs content store, overlay2 or vfs layers), wires the API,
 * and listens on every -H address.
 */
export async function startDaemon(initial: DaemonConfig, log: Logger): Promise<RunningDaemon> {
  let config = initial;
  // Refuse unsafe or broken remote access before touching the host.
  checkPlainTcp(config, log);
  const tls = await loadServerTls(config);
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  const unlock = await lockDataRoot(config.dataRoot);
  try {
    const tmpDir = join(config.dataRoot, 'tmp');
    await rm(tmpDir, { recursive: true, force: true });
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });

    const content = await FsContentStore.open(join(config.dataRoot, 'content'));
    const layers = await openLayerStore(join(config.dataRoot, 'layers'), config.storageDriver, log);
    const events = new MemoryEventBus(EVENT_HISTORY, new EventJournal({ path: join(config.dataRoot, 'events.log'), onError: log.warn }));
    const store = await ImageStore.open(join(config.dataRoot, 'images', 'meta'), content);
    const refs = await ReferenceStore.open(join(config.dataRoot, 'images', 'references.json'));
    const lex = new ShellLex('\\');
    const images = new LocalImageService({ content, layers, events, store, refs, tmpDir, words: (text, env) => lex.processWords(text, env) });
    // Before the network area touches the host: bad registry settings in daemon.json stop berthd with nothing made.
    const distribution = await RegistryDistributionService.create({
      images, content, layers, events,
      settings: registrySettings(config),
      metadataDir: join(config.dataRoot, 'distribution', 'locations'),
      log: (message) => log.debug(message),
    });
    const runtime = new ConmonRuncRuntime({ root: join(config.execRoot, 'runtime') });
    const containerStore = await ContainerStore.open(join(config.dataRoot, 'containers'));
    // The containers service and the network area each need the other: the directory is a late-bound closure.
    let containersRef: LocalContainerService | undefined;
    const networks = new LinuxNetworkService({
      root: join(config.dataRoot, 'network'),
      directory: { lookup: (idOrName) => containersRef!.facts(idOrName), updateEtcFiles: (id, contents) => containersRef!.updateEtcFiles(id, contents) },
      defaultBridge: config.bridge === NO_DEFAULT_BRIDGE ? null : config.bridge,
      bip: config.bip || undefined,
      addressPools: config.defaultAddressPools.length ? config.defaultAddressPools : undefined,
      ipv6: config.ipv6,
      fixedCidrV6: config.fixedCidrV6 || undefined,
      chainPrefix: chainPrefixFor(config.bridge),
      iptables: config.iptables,
      userlandProxy: config.userlandProxy,
      ipForward: config.ipForward,
      events,
    });
    await networks.init();
    const volumes = new LocalVolumeService(join(config.dataRoot, 'volumes'), events);
    const planner = new LocalMountPlanner(volumes);
    const containers = new LocalContainerService({
      store: containerStore, runtime, layers, images, events, volumes, planner, networks,
      log: (level, message) => log.log(level, message),
      defaults: () => ({ logConfig: { Type: config.logDriver, Config: { ...config.logOpts } }, ulimits: Object.values(config.defaultUlimits) }),
    });
    containersRef = containers;
    images.setUsage({ containersUsing: (id) => containers.usingImage(id) });
    await containers.recover();
    await networks.restore(await containers.runningIds());
    // Daemon events carry the engine ID and the host name, as dockerd's do.
    const daemonId = await engineId(config.dataRoot);
    const system = new DaemonSystem({ config: () => config, images, containers, layers, engineId: daemonId, startedAt: new Date(), eventListeners: () => events.watchers() });

    // Contexts of builds cut short by a crash are left in builder/: start empty.
    await rm(join(config.dataRoot, 'builder'), { recursive: true, force: true }).catch((err) => log.warn(`could not clear the builder's directory: ${(err as Error).message}`));
    const builder = new LocalBuilder({ images, containers, layers, workDir: join(config.dataRoot, 'builder'), sys, puller: distribution });
    const handler = createApiHandler({ images, containers, volumes, networks, system, events, builder, distribution }, {
      serverHeader: `Docker/${BERTH_VERSION} (linux)`,
      corsHeader: config.apiCorsHeader,
      debug: (line) => log.debug(line),
    });
    // The pidfile first, as dockerd: whoever sees the API answer finds it already there.
    await writePidfile(config.pidfile);
    const listeners = await listenAll(config, tls, handler, log).catch(async (err) => {
      await unlink(config.pidfile).catch(() => undefined);
      throw err;
    });
    events.publish('daemon', 'start', daemonId, { name: hostname() });
    log.info(`berthd ${BERTH_VERSION} started (data root ${config.dataRoot}, storage driver ${layers.driver})`);

    return {
      listeners,
      reload(next: DaemonConfig) {
        config = applyReload(config, next);
        log.level = config.debug ? 'debug' : config.logLevel;
        events.publish('daemon', 'reload', daemonId, { ...reloadAttributes(config), name: hostname() });
        log.info('configuration reloaded');
      },
      async stop() {
        // Live restore (the default): containers keep running under conmon; only berthd's watchers stop.
        if (!config.liveRestore) await containers.stopAll();
        await containers.shutdown();
        await networks.close();
        await Promise.all(listeners.map((l) => l.close()));
        await events.close();
        // Removed containers' files: deleted before the data root is let go.
        await Promise.all([layers.settled(), containerStore.settled()]);
        await unlink(config.pidfile).catch(() => undefined);
        await unlock();
        log.info('berthd stopped');
      },
    };
  } catch (err) {
    await unlock();
    throw err;
  }
}

/**
 * iptables chains are named after the default bridge, so that two berthds on
 * one host (tests run several) never rewrite each other's rules: berth0 keeps
 * the plain BERTH prefix. Chain names are limited to 28 characters.
 */
export function chainPrefixFor(bridge: string): string {
  if (bridge === 'berth0') return 'BERTH';
  return `B-${bridge.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12)}`;
}

/** Listens on every -H address (TLS on tcp:// ones when configured); closes those opened if one fails. */
async function listenAll(config: DaemonConfig, tls: ServerTls | undefined, handler: ApiHandlers, log: Logger): Promise<Listener[]> {
  const listeners: Listener[] = [];
  try {
    for (const host of expandSocketActivation(config.hosts)) {
      listeners.push(await listen(host, handler, { group: config.group, tls, onTlsError: log.debug }));
      log.info(`API listen on ${host}${tls && !host.startsWith('unix://') ? (tls.verify ? ' (TLS, client certificates verified)' : ' (TLS)') : ''}`);
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }
  return listeners;
}

/** The registry client's settings (per-registry certificates under registry-certs-dirs, dockerd's certs.d by default). */
function registrySettings(config: DaemonConfig): RegistrySettings {
  return {
    mirrors: config.registryMirrors,
    insecureRegistries: config.insecureRegistries,
    maxConcurrentDownloads: config.maxConcurrentDownloads,
    maxConcurrentUploads: config.maxConcurrentUploads,
    certsDirs: config.registryCertsDirs,
  };
}

async function writePidfile(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, String(process.pid));
  await chmod(path, 0o644);
}
