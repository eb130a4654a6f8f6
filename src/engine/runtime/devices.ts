import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../../lib/errors.js';
import type { DeviceMapping } from './types.js';

/** OCI linux.devices entry: a device node runc creates in the container's /dev. */
export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

/** OCI linux.resources.devices rule (the cgroup device allow list). */
export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

/**
 * Docker's default device cgroup rules (moby oci/defaults.go): deny all, allow
 * mknod of anything, and read/write of the harmless character devices plus
 * ptys and /dev/net/tun. runc itself creates null, zero, full, random, urandom, tty.
 */
export function defaultDeviceRules(): OciDeviceRule[] {
  const c = (major: number | undefined, minor: number | undefined, access = 'rwm'): OciDeviceRule => {
    const rule: OciDeviceRule = { allow: true, type: 'c', access };
    if (major !== undefined) rule.major = major;
    if (minor !== undefined) rule.minor = minor;
    return rule;
  };
  return [
    { allow: false, access: 'rwm' },
    c(undefined, undefined, 'm'),
    { allow: true, type: 'b', access: 'm' },
    c(1, 3), // /dev/null
    c(1, 8), // /dev/random
    c(1, 7), // /dev/full
    c(5, 0), // /dev/tty
    c(1, 5), // /dev/zero
    c(1, 9), // /dev/urandom
    c(136, undefined), // /dev/pts/*
    c(5, 2), // /dev/ptmx
    c(10, 200), // /dev/net/tun
    c(5, 1), // /dev/console
  ];
}

/** Linux's major()/minor() of a dev_t (glibc's encoding). */
function majorMinor(rdev: bigint): [number, number] {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return [major, minor];
}

async function deviceAt(hostPath: string, containerPath: string): Promise<OciDevice | null> {
  const st = await stat(hostPath, { bigint: true });
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : null;
  if (!type) return null;
  const [major, minor] = majorMinor(st.rdev);
  return { path: containerPath, type, major, minor, fileMode: Number(st.mode & 0o777n), uid: Number(st.uid), gid: Number(st.gid) };
}

/** --device host:container:perms → the node and its cgroup rule. A directory maps every device under it. */
export async function mappedDevices(mappings: readonly DeviceMapping[]): Promise<{ devices: OciDevice[]; rules: OciDeviceRule[] }> {
  const devices: OciDevice[] = [];
  const rules: OciDeviceRule[] = [];
  for (const m of mappings) {
    if (!/^[rwm]+$/.test(m.cgroupPermissions)) throw invalid(`invalid device mode: ${m.cgroupPermissions}`);
    const st = await stat(m.pathOnHost).catch(() => null);
    if (!st) throw invalid(`error gathering device information while adding custom device "${m.pathOnHost}": no such file or directory`);
    const pairs = st.isDirectory() ? await walkDevices(m.pathOnHost, m.pathInContainer) : [[m.pathOnHost, m.pathInContainer] as const];
    for (const [host, inContainer] of pairs) {
      const dev = await deviceAt(host, inContainer);
      if (!dev) {
        if (st.isDirectory()) continue;
        throw invalid(`error gathering device information while adding custom device "${m.pathOnHost}": not a device node`);
      }
      devices.push(dev);
      rules.push({ allow: true, type: dev.type, major: dev.major, minor: dev.minor, access: m.cgroupPermissions });
    }
  }
  return { devices, rules };
}

/** Directories of /dev that hold no real host devices for a container (moby's HostDevices skips them too). */
const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** Every device node under `dir`, as [host path, container path] pairs. */
async function walkDevices(dir: string, inContainer: string): Promise<(readonly [string, string])[]> {
  const out: (readonly [string, string])[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const host = join(dir, e.name);
    const target = join(inContainer, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) out.push(...(await walkDevices(host, target)));
    } else if (e.isCharacterDevice() || e.isBlockDevice()) {
      if (host !== '/dev/console') out.push([host, target]);
    }
  }
  return out;
}

/** --privileged: every host device node, with one allow-all rule. */
export async function hostDevices(): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  for (const [host, target] of await walkDevices('/dev', '/dev')) {
    const dev = await deviceAt(host, target).catch(() => null);
    if (dev) out.push(dev);
  }
  return out;
}
