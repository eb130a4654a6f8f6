import { mkdir, stat } from 'node:fs/promises';
import { errnoCode, invalid, isEngineError } from '../../lib/errors.js';
import type { RuntimeMount } from '../runtime/types.js';
import { copyUp } from './copyup.js';
import { draftMounts, type Draft } from './draft.js';
import { prepareMountPoint } from './mountpoint.js';
import { byDepth, ociMountOf } from './oci-mounts.js';
import type { ParsedMount } from './parse.js';
import type { MountPlanner, MountPoint, PlanInput, PlannedMount, VolumeService } from './types.js';

/**
 * A container's mounts over its life (see MountPlanner in types.ts): plan at
 * create, setup at start, teardown at stop, release at rm. Volumes are reached
 * only through the VolumeService contract.
 */
export class LocalMountPlanner implements MountPlanner {
  constructor(private readonly volumes: VolumeService) {}

  async plan(input: PlanInput): Promise<{ mounts: PlannedMount[]; warnings: string[] }> {
    const { byDestination, warnings } = await draftMounts(input);
    const mounts: PlannedMount[] = [];
    for (const draft of byDestination.values()) mounts.push(await this.realise(draft));
    for (const name of volumeNames(mounts)) this.volumes.attach(name, input.containerId);
    return { mounts: byDepth(mounts), warnings };
  }

  async setup(containerId: string, planned: readonly PlannedMount[], rootfs: string): Promise<RuntimeMount[]> {
    const result: RuntimeMount[] = [];
    const ordered = byDepth(planned);
    try {
      for (const mount of ordered) result.push(await this.setupOne(containerId, mount, rootfs, ordered));
    } catch (err) {
      await this.teardown(containerId, planned).catch(() => undefined);
      throw err;
    }
    return result;
  }

  async recover(containerId: string, planned: readonly PlannedMount[]): Promise<void> {
    for (const name of volumeNames(planned)) await this.volumes.mount(name, containerId, null);
  }

  async teardown(containerId: string, planned: readonly PlannedMount[]): Promise<void> {
    for (const name of volumeNames(planned)) await this.volumes.unmount(name, containerId);
  }

  async release(containerId: string, planned: readonly PlannedMount[], options: { removeAnonymous: boolean }): Promise<void> {
    const named = new Set(volumeNames(planned.filter((m) => m.named)));
    for (const name of volumeNames(planned)) {
      this.volumes.detach(name, containerId);
      if (!options.removeAnonymous || named.has(name) || this.volumes.usersOf(name).length > 0) continue;
      try {
        if (await this.volumes.isAnonymous(name)) await this.volumes.remove(name, { force: true });
      } catch (err) {
        // Still used by another container (lent with --volumes-from) or already gone: keep going, as Docker.
        if (!isEngineError(err, 'conflict') && !isEngineError(err, 'notFound')) throw err;
      }
    }
  }

  /** Creates the volume a draft needs and records the mount point as Docker shows it. */
  private async realise(draft: Draft): Promise<PlannedMount> {
    if (draft.kind === 'inherited') return draft.planned;
    const { parsed, hidden } = draft;
    const base = { inspect: !hidden, copyData: false, createSource: parsed.createSource, tmpfsOptions: parsed.tmpfsOptions, nonRecursive: parsed.nonRecursive };
    if (parsed.type === 'volume') {
      const volume = await this.volumes.create({
        name: parsed.source || undefined,
        anonymous: parsed.source === '',
        driver: parsed.driver || undefined,
        labels: parsed.volumeLabels ?? undefined,
        options: parsed.volumeOptions ?? undefined,
      });
      return { ...base, copyData: parsed.copyData, named: parsed.source !== '', point: volumePoint(parsed, volume.Name, volume.Mountpoint, volume.Driver) };
    }
    return { ...base, point: plainPoint(parsed) };
  }

  private async setupOne(containerId: string, mount: PlannedMount, rootfs: string, all: readonly PlannedMount[]): Promise<RuntimeMount> {
    const { point } = mount;
    let source = point.Source;
    if (point.Type === 'volume') {
      const event = { destination: point.Destination, 'read/write': String(point.RW), propagation: point.Propagation };
      source = await this.volumes.mount(point.Name!, containerId, event);
      if (mount.copyData) await copyUp(rootfs, point.Destination, source);
    }
    const kind = point.Type === 'bind' ? await bindSourceKind(mount) : 'dir';
    // Inside another mount the mount point lives in that mount's source, not in the rootfs: runc makes it there.
    const nested = all.some((other) => other !== mount && isBelow(point.Destination, other.point.Destination));
    const destination = nested ? point.Destination : (await prepareMountPoint(rootfs, point.Destination, kind)).destination;
    return ociMountOf(mount, source, destination);
  }
}

/** The bind source's kind; a missing -v source is created as a directory (as Docker's -v), a --mount one is an error. */
async function bindSourceKind(mount: PlannedMount): Promise<'dir' | 'file'> {
  const source = mount.point.Source;
  try {
    return (await stat(source)).isDirectory() ? 'dir' : 'file';
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  if (!mount.createSource) throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
  await mkdir(source, { recursive: true, mode: 0o755 });
  return 'dir';
}

function isBelow(path: string, parent: string): boolean {
  return path.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

function volumeNames(planned: readonly PlannedMount[]): string[] {
  return [...new Set(planned.filter((m) => m.point.Type === 'volume' && m.point.Name).map((m) => m.point.Name!))];
}

function volumePoint(parsed: ParsedMount, name: string, mountpoint: string, driver: string): MountPoint {
  return { Type: 'volume', Name: name, Source: mountpoint, Destination: parsed.destination, Driver: driver, Mode: parsed.mode, RW: parsed.rw, Propagation: '' };
}

function plainPoint(parsed: ParsedMount): MountPoint {
  return { Type: parsed.type, Source: parsed.source, Destination: parsed.destination, Mode: parsed.mode, RW: parsed.rw, Propagation: parsed.propagation };
}
