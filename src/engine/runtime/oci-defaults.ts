import type { OciMount } from './oci-spec.js';

/**
 * Docker's defaults for what a container sees of the host (moby oci/defaults.go
 * and daemon/oci_linux.go): the standard mounts, and the /proc and /sys paths
 * that are masked or made read-only unless the container is privileged.
 */

export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface DefaultMountOptions {
  shmSize: number;
  privileged: boolean;
  /** A joined IPC namespace's shared memory (the host's /dev/shm, or an IPC donor's), bound at /dev/shm. */
  shmSource?: string;
}

export function defaultMounts(o: DefaultMountOptions): OciMount[] {
  // A privileged container may write /sys and the cgroup tree, as in Docker.
  const roUnlessPrivileged = o.privileged ? [] : ['ro'];
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...roUnlessPrivileged] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...roUnlessPrivileged] },
  ];
  // As dockerd, a new mqueue instance even in a joined IPC namespace: it shows that namespace's
  // queues, and needs no /dev/mqueue on the host (a bind of it failed where the host has none).
  mounts.push({ destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] });
  if (o.shmSource) {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: o.shmSource, options: ['rbind', 'rprivate'] });
  } else {
    mounts.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${o.shmSize}`] });
  }
  return mounts;
}
