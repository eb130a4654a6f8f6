import type { Filters } from '../images/types.js';
import type { RuntimeMount } from '../runtime/types.js';

/**
 * The volumes area: named and anonymous volumes (the local driver), and the
 * mount planner that turns a container's -v/--mount/--tmpfs/--volumes-from
 * and its image's VOLUMEs into the mount points Docker records and the OCI
 * mounts the runtime needs.
 *
 * Two services, both built by the daemon and handed to whoever needs them:
 *
 *   VolumeService  the volume store: create/inspect/list/remove/prune (the API),
 *                  which containers use which volume (rm/prune conflicts), and
 *                  mount/unmount of driver-backed volumes (tmpfs, nfs, bind) on
 *                  first use, reference counted per container.
 *   MountPlanner   used by the containers service over a container's life:
 *                  plan (create) → setup (start) → teardown (stop) → release (rm).
 *
 * Errors are EngineErrors with Docker's wording: `get <name>: no such volume`
 * (notFound), `remove <name>: volume is in use - [<ids>]` (conflict),
 * `invalid volume specification: '…'`, `invalid mount config for type "bind": …` (invalid).
 */

/** Label Docker ≥ 23 puts on anonymous volumes; `prune` without `all` removes only these. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** Docker's volume.Volume, as /volumes/{name} and /volumes list it. */
export interface Volume {
  Name: string;
  Driver: string;
  /** Host path of the data: <root>/<name>/_data. */
  Mountpoint: string;
  /** RFC 3339 with the local offset, as Docker prints it. */
  CreatedAt: string;
  /** null when none were given (volumes made by `run -v`), {} when an empty set was (the CLI's create). */
  Labels: Record<string, string> | null;
  /** The driver options given at create (-o type=tmpfs …); null as Labels. */
  Options: Record<string, string> | null;
  Scope: 'local';
}

/** A volume with its disk usage, for /system/df (Size -1 when unknown, as Docker). */
export interface VolumeUsage extends Volume {
  UsageData: { Size: number; RefCount: number };
}

export interface CreateVolumeOptions {
  /** Omitted or '': a generated 64-hex name, and the volume is anonymous. */
  name?: string;
  /** Only 'local' (the default) is supported. */
  driver?: string;
  labels?: Record<string, string>;
  /** Local driver options: type, device, o, size. */
  options?: Record<string, string>;
  /** Force the anonymous marking (image VOLUMEs, `-v /path`): the name is generated. */
  anonymous?: boolean;
}

export interface VolumeService {
  /** Creates a volume; an existing name is returned as is (as Docker), unless its driver differs. */
  create(options: CreateVolumeOptions): Promise<Volume>;
  inspect(name: string): Promise<Volume>;
  /** Filters: dangling=true|false, name (substring), label (key or key=value), driver. */
  list(filters: Filters): Promise<{ Volumes: Volume[]; Warnings: string[] }>;
  /** In use: conflict even with force; force only makes a missing volume not an error. */
  remove(name: string, options: { force: boolean }): Promise<void>;
  /** Unused volumes; without all=true only anonymous ones. Filters: all, label, label!. */
  prune(filters: Filters): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }>;
  /** Every volume with its size and number of users (system df). */
  usage(): Promise<VolumeUsage[]>;

  /** At daemon start: which containers (records, running or not) use which volume. Replaces all users. */
  setUsers(users: ReadonlyMap<string, readonly string[]>): void;
  /** A container record now references the volume (create). */
  attach(name: string, containerId: string): void;
  /** The container record is gone (rm). */
  detach(name: string, containerId: string): void;
  usersOf(name: string): string[];
  isAnonymous(name: string): Promise<boolean>;

  /**
   * The volume's data directory, ready to bind: the driver's device (-o type=…)
   * is mounted there when the first container mounts it. Reference counted per container.
   * `event` adds Docker's attributes to the `mount` event (destination, read/write, propagation);
   * null publishes nothing (re-registering the mounts of a running container after a daemon restart).
   */
  mount(name: string, containerId: string, event?: Record<string, string> | null): Promise<string>;
  /** Undoes mount; the device is unmounted when no container has the volume mounted. */
  unmount(name: string, containerId: string): Promise<void>;
}

export type MountType = 'bind' | 'volume' | 'tmpfs';
export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

/** Docker's mount.Mount: one --mount, or one entry of HostConfig.Mounts. */
export interface MountSpec {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean } | null;
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string> | null;
    DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null;
  } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

/** One entry of `docker inspect`'s Mounts, exactly as Docker shows it. */
export interface MountPoint {
  Type: MountType;
  /** Volumes only. */
  Name?: string;
  /** Host path (bind source, or the volume's _data); '' for tmpfs. */
  Source: string;
  Destination: string;
  /** Volumes only. */
  Driver?: string;
  /** The -v mode string ("ro", "z", "rw,nocopy"); '' for --mount. */
  Mode: string;
  RW: boolean;
  /** Binds: "rprivate" unless asked otherwise; '' for volumes and tmpfs. */
  Propagation: string;
}

/** What the containers service keeps in the record for each mount; `point` is what inspect shows. */
export interface PlannedMount {
  point: MountPoint;
  /** Shown in inspect's Mounts (HostConfig.Tmpfs mounts are not, as in Docker). */
  inspect: boolean;
  /** Volumes: fill an empty volume with the image's content at the destination on start. */
  copyData: boolean;
  /** Binds from -v: create a missing host path (as a directory) on start. */
  createSource: boolean;
  /** Tmpfs: OCI options (size=…, mode=…, ro) without the defaults. */
  tmpfsOptions: string[];
  /** Binds: non-recursive (bind-nonrecursive). */
  nonRecursive?: boolean;
  /**
   * Volumes: the request named the volume (`-v name:/d`, --mount source=name). rm -v keeps it even
   * when it was made anonymous (a recreated container handed its predecessor's volume), as dockerd
   * keeps a mount point whose spec has a source. Absent in records written before it was kept.
   */
  named?: boolean;
}

export interface PlanInput {
  containerId: string;
  /** HostConfig.Binds: -v strings with a ':'. */
  binds: readonly string[];
  /** HostConfig.Mounts: --mount objects. */
  mounts: readonly MountSpec[];
  /** HostConfig.Tmpfs: destination → options. */
  tmpfs: Readonly<Record<string, string>>;
  /** HostConfig.VolumesFrom: "container[:ro|:rw]". */
  volumesFrom: readonly string[];
  /** Config.Volumes (image VOLUMEs merged with `-v /path`): anonymous volumes where nothing else mounts. */
  configVolumes: Readonly<Record<string, unknown>>;
  /** HostConfig.VolumeDriver, the default driver for volumes ('' or 'local'). */
  volumeDriver?: string;
  /** Another container's planned mounts, for --volumes-from; throws notFound for an unknown container. */
  lookupContainer(idOrName: string): Promise<readonly PlannedMount[]>;
}

export interface MountPlanner {
  /**
   * At create: parse and validate, create named volumes and anonymous ones,
   * record the container as their user. Nothing is mounted.
   */
  plan(input: PlanInput): Promise<{ mounts: PlannedMount[]; warnings: string[] }>;
  /**
   * At start, with the container's root filesystem mounted at `rootfs`: mount
   * volumes, copy the image's content into new ones, create -v bind sources and
   * the mount points inside the rootfs (symlinks resolved inside it). Returns
   * the OCI mounts, parents before children. On failure what was mounted is undone.
   */
  setup(containerId: string, planned: readonly PlannedMount[], rootfs: string): Promise<RuntimeMount[]>;
  /** After a daemon restart, for a container still running: count its volumes as mounted again (no events). */
  recover(containerId: string, planned: readonly PlannedMount[]): Promise<void>;
  /** At stop (and after a failed start): unmount the container's volumes. */
  teardown(containerId: string, planned: readonly PlannedMount[]): Promise<void>;
  /** At rm: the container stops using its volumes; anonymous ones are removed when asked (rm -v, --rm). */
  release(containerId: string, planned: readonly PlannedMount[], options: { removeAnonymous: boolean }): Promise<void>;
}
