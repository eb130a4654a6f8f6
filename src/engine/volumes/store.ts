import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, errnoCode, invalid, isEngineError, notFound } from '../../lib/errors.js';
import { directorySize } from '../../lib/dir-size.js';
import { Mutex } from '../../lib/mutex.js';
import { rfc3339Unix } from '../../lib/units.js';
import type { EventBus } from '../events/types.js';
import type { Filters } from '../images/types.js';
import { listFilter, pruneFilter } from './filters.js';
import { isDeviceMounted, mountDevice, needsDeviceMount, unmountDevice, validateDriverOptions } from './local-driver.js';
import { dataPath, readMeta, writeMeta, type VolumeMeta } from './meta.js';
import { checkVolumeNameLength, generateVolumeName, isValidVolumeName, validateVolumeName } from './names.js';
import { ANONYMOUS_LABEL, type CreateVolumeOptions, type Volume, type VolumeService, type VolumeUsage } from './types.js';

/**
 * The local volume driver and its store: every volume is a directory
 * <root>/<name> holding `_data` (what containers see) and `meta.json`.
 *
 * Which containers use a volume is kept in memory only: the container records
 * are the truth, and the containers service hands the users over at start
 * (setUsers) and keeps them current (attach/detach). Which containers have a
 * volume *mounted* is a second count, for driver-backed volumes whose device
 * is mounted while at least one container runs with it.
 */
export class LocalVolumeService implements VolumeService {
  private readonly users = new Map<string, Set<string>>();
  private readonly active = new Map<string, Set<string>>();
  private readonly lock = new Mutex();

  constructor(
    private readonly root: string,
    private readonly events?: EventBus,
  ) {}

  async create(options: CreateVolumeOptions): Promise<Volume> {
    const anonymous = options.anonymous === true || !options.name;
    const name = options.anonymous || !options.name ? generateVolumeName() : options.name;
    validateVolumeName(name);
    checkVolumeNameLength(name, this.root);
    const driver = options.driver || 'local';
    if (driver !== 'local') throw notFound(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const driverOptions = options.options ? { ...options.options } : null;
    const problem = validateDriverOptions(driverOptions ?? {});
    if (problem) throw invalid(`create ${name}: ${problem}`);
    return this.lock.run(async () => {
      const existing = await readMeta(this.root, name);
      if (existing) return this.volumeOf(name, existing);
      const labels = anonymous ? { ...options.labels, [ANONYMOUS_LABEL]: '' } : options.labels ? { ...options.labels } : null;
      const meta: VolumeMeta = {
        CreatedAt: rfc3339Unix(Math.floor(Date.now() / 1000)),
        Driver: 'local',
        Labels: labels,
        Options: driverOptions,
        Anonymous: anonymous,
      };
      await mkdir(dataPath(this.root, name), { recursive: true, mode: 0o755 });
      await writeMeta(this.root, name, meta);
      this.events?.publish('volume', 'create', name, { driver: 'local' });
      return this.volumeOf(name, meta);
    });
  }

  async inspect(name: string): Promise<Volume> {
    return this.volumeOf(name, await this.metaOf(name));
  }

  async list(filters: Filters): Promise<{ Volumes: Volume[]; Warnings: string[] }> {
    const keep = listFilter(filters);
    const volumes = (await this.all()).filter((volume) => keep({ volume, users: this.usersOf(volume.Name).length }));
    return { Volumes: volumes, Warnings: [] };
  }

  async remove(name: string, options: { force: boolean }): Promise<void> {
    try {
      await this.lock.run(() => this.removeLocked(name));
    } catch (err) {
      if (options.force && isEngineError(err, 'notFound')) return;
      throw err;
    }
  }

  async prune(filters: Filters): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    const keep = pruneFilter(filters);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const volume of await this.all()) {
      if (!keep({ volume, users: this.usersOf(volume.Name).length })) continue;
      const size = await directorySize(volume.Mountpoint).catch(() => 0);
      try {
        await this.lock.run(() => this.removeLocked(volume.Name));
      } catch (err) {
        // Taken into use (or removed) since the listing: not prunable any more.
        if (isEngineError(err, 'conflict') || isEngineError(err, 'notFound')) continue;
        throw err;
      }
      deleted.push(volume.Name);
      reclaimed += size;
    }
    return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
  }

  async usage(): Promise<VolumeUsage[]> {
    const result: VolumeUsage[] = [];
    for (const volume of await this.all()) {
      const size = await directorySize(volume.Mountpoint).catch(() => -1);
      result.push({ ...volume, UsageData: { Size: size, RefCount: this.usersOf(volume.Name).length } });
    }
    return result;
  }

  setUsers(users: ReadonlyMap<string, readonly string[]>): void {
    this.users.clear();
    for (const [name, ids] of users) this.users.set(name, new Set(ids));
  }

  attach(name: string, containerId: string): void {
    addTo(this.users, name, containerId);
  }

  detach(name: string, containerId: string): void {
    removeFrom(this.users, name, containerId);
  }

  usersOf(name: string): string[] {
    return [...(this.users.get(name) ?? [])];
  }

  async isAnonymous(name: string): Promise<boolean> {
    return (await this.metaOf(name)).Anonymous;
  }

  async mount(name: string, containerId: string, event: Record<string, string> | null = {}): Promise<string> {
    return this.lock.run(async () => {
      const meta = await this.metaOf(name);
      const data = dataPath(this.root, name);
      const mounted = this.active.get(name);
      const first = !mounted || mounted.size === 0;
      // After a daemon restart the device may still be mounted for running containers.
      if (first && needsDeviceMount(meta.Options ?? {}) && !isDeviceMounted(data)) mountDevice(meta.Options ?? {}, data);
      if (!mounted?.has(containerId)) {
        addTo(this.active, name, containerId);
        if (event) this.events?.publish('volume', 'mount', name, { container: containerId, driver: 'local', ...event });
      }
      return data;
    });
  }

  async unmount(name: string, containerId: string): Promise<void> {
    await this.lock.run(async () => {
      if (!this.active.get(name)?.has(containerId)) return;
      removeFrom(this.active, name, containerId);
      const meta = await readMeta(this.root, name);
      if (meta && needsDeviceMount(meta.Options ?? {}) && !this.active.has(name)) unmountDevice(dataPath(this.root, name));
      this.events?.publish('volume', 'unmount', name, { container: containerId, driver: 'local' });
    });
  }

  private async removeLocked(name: string): Promise<void> {
    const meta = await this.metaOf(name);
    const users = this.usersOf(name);
    if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    const data = dataPath(this.root, name);
    if (needsDeviceMount(meta.Options ?? {})) unmountDevice(data);
    // Never recurse into a mount: for a bind-type volume that would delete the host directory's files.
    if (isDeviceMounted(data)) throw conflict(`remove ${name}: volume is still mounted at ${data}`);
    await rm(join(this.root, name, 'meta.json'), { force: true });
    await rm(join(this.root, name), { recursive: true, force: true });
    this.active.delete(name);
    this.events?.publish('volume', 'destroy', name, { driver: 'local' });
  }

  private async metaOf(name: string): Promise<VolumeMeta> {
    const meta = isValidVolumeName(name) ? await readMeta(this.root, name) : null;
    if (!meta) throw notFound(`get ${name}: no such volume`);
    return meta;
  }

  private async all(): Promise<Volume[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    const volumes: Volume[] = [];
    for (const name of names.sort()) {
      const meta = isValidVolumeName(name) ? await readMeta(this.root, name) : null;
      if (meta) volumes.push(this.volumeOf(name, meta));
    }
    return volumes;
  }

  private volumeOf(name: string, meta: VolumeMeta): Volume {
    return {
      CreatedAt: meta.CreatedAt,
      Driver: meta.Driver,
      Labels: meta.Labels,
      Mountpoint: dataPath(this.root, name),
      Name: name,
      Options: meta.Options,
      Scope: 'local',
    };
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
