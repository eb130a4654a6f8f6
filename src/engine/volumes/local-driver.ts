import { invalid, EngineError } from '../../lib/errors.js';
import * as sys from '../../platform/linux/sys.js';
import { isMountPoint, unmount } from '../../platform/linux/mount.js';

/**
 * The local driver's options (`-o type=… -o device=… -o o=…`), as moby's
 * volume/local: with none, a volume is a plain directory; with type and device,
 * the device is mounted on the volume's data directory while some container
 * uses it (tmpfs, an NFS export, a bind of another host directory).
 */

const VALID_OPTIONS = new Set(['type', 'device', 'o', 'size']);
/** An option that is given requires these (moby's mandatoryOpts). */
const REQUIRED_WITH: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

/** Checks options with moby's messages; the caller prefixes "create <name>: ". */
export function validateDriverOptions(options: Readonly<Record<string, string>>): string | null {
  for (const key of Object.keys(options)) {
    if (!VALID_OPTIONS.has(key)) return `invalid option: "${key}"`;
  }
  for (const [key, required] of Object.entries(REQUIRED_WITH)) {
    if (!(key in options)) continue;
    const missing = required.find((r) => !(r in options));
    if (missing) return `missing required option: "${missing}"`;
  }
  // Quotas need xfs project quotas on the data root; berth does not set them up.
  if ('size' in options) return 'quota size requested but no quota support';
  return null;
}

/** Whether the volume's data directory is a mount of a device rather than a plain directory. */
export function needsDeviceMount(options: Readonly<Record<string, string>>): boolean {
  return Boolean(options.type || options.device);
}

/** mount(8) option words that are flags (moby/sys/mount's flag table); [set, clear]. */
const FLAG_WORDS: Record<string, [number, number]> = {
  defaults: [0, 0],
  ro: [sys.MS_RDONLY, 0],
  rw: [0, sys.MS_RDONLY],
  suid: [0, sys.MS_NOSUID],
  nosuid: [sys.MS_NOSUID, 0],
  dev: [0, sys.MS_NODEV],
  nodev: [sys.MS_NODEV, 0],
  exec: [0, sys.MS_NOEXEC],
  noexec: [sys.MS_NOEXEC, 0],
  noatime: [sys.MS_NOATIME, 0],
  atime: [0, sys.MS_NOATIME],
  bind: [sys.MS_BIND, 0],
  rbind: [sys.MS_BIND | sys.MS_REC, 0],
};

export interface DeviceMount {
  device: string;
  fstype: string;
  flags: number;
  /** Options that are not flags, passed to the filesystem (size=10m, addr=…). */
  data: string;
}

/** Splits `o=` into mount flags and filesystem data, as mount(8) does. */
export function deviceMountOf(options: Readonly<Record<string, string>>): DeviceMount {
  let flags = 0;
  const data: string[] = [];
  for (const word of (options.o ?? '').split(',').filter(Boolean)) {
    const flag = FLAG_WORDS[word];
    if (flag) flags = (flags | flag[0]) & ~flag[1];
    else data.push(word);
  }
  return { device: options.device ?? '', fstype: options.type ?? '', flags, data: data.join(',') };
}

/** Mounts the volume's device on its data directory; the error says what failed, as moby's. */
export function mountDevice(options: Readonly<Record<string, string>>, target: string): void {
  const m = deviceMountOf(options);
  if (m.device === '') throw invalid('missing device in volume options');
  const isBind = (m.flags & sys.MS_BIND) !== 0;
  try {
    const firstFlags = isBind ? m.flags & ~sys.MS_RDONLY : m.flags;
    sys.mount(m.device, target, isBind ? null : m.fstype, firstFlags, m.data || null);
    // A bind ignores MS_RDONLY on the first call: read-only takes a remount.
    if (isBind && m.flags & sys.MS_RDONLY) sys.mount(null, target, null, sys.MS_BIND | sys.MS_REMOUNT | sys.MS_RDONLY, null);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new EngineError('internal', `failed to mount local volume: mount ${m.device}:${target}, flags: 0x${m.flags.toString(16)}, data: ${m.data}: ${reason}`, {
      cause: err,
    });
  }
}

/** Unmounts the device if it is (still) mounted; a busy mount is detached. */
export function unmountDevice(target: string): void {
  unmount(target);
}

export function isDeviceMounted(target: string): boolean {
  return isMountPoint(target);
}
