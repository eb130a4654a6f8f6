import type { Readable, Writable } from 'node:stream';
import type { BlkioStats } from '../../platform/linux/cgroups.js';
import type { NetDevCounters } from '../../platform/linux/net-dev.js';

export { BLKIO_LISTS } from '../../platform/linux/cgroups.js';

/**
 * The runtime: the layer below the containers service. It turns one
 * normalised container spec into an OCI bundle (`config.json` with Docker's
 * defaults) and drives `conmon` + `runc`:
 *
 *   create → conmon (detached, its own session; outlives berthd) runs `runc create`,
 *            holds stdio or the pty, writes the k8s-file log and the exit file
 *   start  → `runc start`
 *
 * The containers service owns names, the state machine and the API; it never
 * spawns runc or conmon itself. Everything here works as well for containers
 * created by an earlier berthd process (see `recover`, `readExit`, `waitExit`).
 *
 * Layout under the exec root the implementation is given (e.g. /run/berth/runtime):
 *   <root>/runc/                 runc's own state (`runc --root`), never shared with other runc users
 *   <root>/<id>/config.json      the bundle (rootfs is the caller's mount, referenced by path)
 *   <root>/<id>/{conmon.pid,pidfile,attach,ctl,winsz,exit/<id>,oom}
 *   <root>/<id>/exec/<execId>/   one directory per exec session (same files)
 *
 * Errors are EngineErrors: `notFound` for an unknown id, `conflict` for a
 * wrong state (e.g. pause a stopped container), `invalid` for a spec the host
 * cannot honour (e.g. an rlimit above berthd's own hard limit), `internal`
 * with runc's or conmon's message otherwise.
 */

/** A namespace is new (private to the container), the host's, or joined from a path (/proc/<pid>/ns/net). */
export type NamespaceMode = 'new' | 'host' | { path: string };

export interface RuntimeUser {
  uid: number;
  gid: number;
  /** Supplementary groups, already resolved to numbers by the caller (from the image's /etc/group). */
  additionalGids: number[];
  /** Process umask; omitted means runc's default (0022). */
  umask?: number;
}

/** One POSIX rlimit, as `--ulimit nofile=1024:2048` gives it. */
export interface Rlimit {
  /** Lower-case Docker name without prefix: "nofile", "nproc", "core", "memlock", "stack", … */
  name: string;
  soft: number;
  hard: number;
}

/** The process to run: the container's init process, or an exec session's process. */
export interface RuntimeProcess {
  /** argv; args[0] is looked up in the container's PATH by runc. Must not be empty. */
  args: string[];
  /** "KEY=value" entries, final (image env merged with the request by the caller). */
  env: string[];
  /** Absolute working directory inside the container ("/" when the image says nothing). */
  cwd: string;
  user: RuntimeUser;
  /** Allocate a pty; then stdout and stderr are one stream. */
  terminal: boolean;
  /** The pty's size from the start (runc sets it before the process runs), so it never sees 0x0 before a resize comes. */
  consoleSize?: { height: number; width: number };
  noNewPrivileges: boolean;
  /**
   * The final capability set ("CAP_CHOWN", …) after --cap-add/--cap-drop/--privileged:
   * put in bounding, effective and permitted (not inheritable/ambient, as Docker ≥ 23).
   * DEFAULT_CAPABILITIES and ALL_CAPABILITIES below are there to compute it.
   */
  capabilities: string[];
  /**
   * Explicit rlimits; anything not listed is inherited from conmon (i.e. berthd).
   * A hard (or soft) limit above berthd's own hard limit is refused with `invalid`,
   * because runc would fail with EPERM in the middle of starting.
   */
  rlimits: Rlimit[];
  /** /proc/<pid>/oom_score_adj for the process; omitted: inherited (0). */
  oomScoreAdj?: number;
}

/** An OCI mount, built by the caller: /etc/hosts, resolv.conf, hostname, binds, volumes, tmpfs. */
export interface RuntimeMount {
  /** Absolute path inside the container. A mount here replaces a default mount at the same destination. */
  destination: string;
  /** "bind", "tmpfs", … */
  type: string;
  source: string;
  /** OCI mount options: "rbind", "ro", "rprivate", "nosuid", "size=65536k", … */
  options: string[];
}

/**
 * cgroup resource limits; an omitted field means "no limit / runtime default".
 * The same shape is used by `update`, where omitted means "leave unchanged".
 */
export interface Resources {
  /** Bytes (memory.limit_in_bytes / memory.max). */
  memory?: number;
  /** Soft limit in bytes (memory.soft_limit_in_bytes / memory.low). */
  memoryReservation?: number;
  /** Memory + swap in bytes; -1 is unlimited swap (Docker's --memory-swap semantics, already resolved). */
  memorySwap?: number;
  /** Relative CPU weight, Docker's 2..262144 (converted to cpu.weight on cgroup v2). */
  cpuShares?: number;
  /** CFS quota in µs per period (--cpus=1.5 → quota 150000, period 100000). */
  cpuQuota?: number;
  cpuPeriod?: number;
  /** "0-1", "0,2". */
  cpusetCpus?: string;
  cpusetMems?: string;
  /** Maximum number of tasks; 0 or -1 means unlimited. */
  pidsLimit?: number;
  oomKillDisable?: boolean;
  /** 10..1000 (cgroup v1 blkio.weight; io.bfq.weight on v2 when available). */
  blkioWeight?: number;
}

/** --device /dev/fuse:/dev/fuse:rwm */
export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  /** Any of "r", "w", "m". */
  cgroupPermissions: string;
}

/**
 * Seccomp: Docker's default profile (shipped as data, filtered by the final
 * capability set as moby does), none, or a profile object from
 * `--security-opt seccomp=<file>`, in moby's format (names/includes/excludes
 * are honoured) or already in OCI `linux.seccomp` form.
 */
export type SeccompSetting = 'default' | 'unconfined' | Record<string, unknown>;

export interface RuntimeSpec {
  /** 64 hex container ID; also the runc container ID and conmon's --cid. */
  id: string;
  /** The container's root filesystem, already mounted by the caller (overlay of the image layers + rw layer). */
  rootfs: string;
  readonlyRootfs: boolean;
  hostname: string;
  domainname: string;
  process: RuntimeProcess;
  /** Extra mounts, in order, after the defaults (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, cgroup). */
  mounts: RuntimeMount[];
  /** All capabilities (whatever process.capabilities says), all host devices, no masked or read-only paths, seccomp unconfined, rw /sys. */
  privileged: boolean;
  seccomp: SeccompSetting;
  resources: Resources;
  namespaces: {
    network: NamespaceMode;
    pid: NamespaceMode;
    ipc: NamespaceMode;
    uts: NamespaceMode;
    /** Omitted: private on a pure cgroup v2 host, the host's on v1/hybrid (Docker's defaults). */
    cgroup?: 'new' | 'host';
  };
  /** Size of the /dev/shm tmpfs in bytes (Docker's default 64 MiB). Ignored when ipc is 'host' or joined. */
  shmSize: number;
  /** A host path bound at /dev/shm instead of a new tmpfs (the host's for --ipc host, the donor's for container:<x>). */
  shmSource?: string;
  /** net.*, kernel.msg*, fs.mqueue.* … as given; the runtime does not second-guess them. */
  sysctls: Record<string, string>;
  devices: DeviceMapping[];
  /**
   * Host path of a *static* init binary for --init (Debian: /usr/bin/tini-static; /usr/bin/tini is
   * dynamically linked and cannot run in images without glibc, e.g. busybox): bind-mounted
   * read-only at /sbin/docker-init and prepended to args as `/sbin/docker-init --`.
   */
  init?: string;
  /** OCI annotations, passed through. */
  annotations: Record<string, string>;
  /** cgroup parent; the container's cgroup is `<cgroupParent>/<id>` (cgroupfs driver). Default "/berth". */
  cgroupParent?: string;
  /** --device-cgroup-rule entries ("c 1:3 rwm", "b 7:* r"), appended to the device cgroup rules. */
  deviceCgroupRules?: string[];
}

/** How the container's stdio is wired by conmon. */
export interface CreateIO {
  /** Same as spec.process.terminal: conmon holds the pty master. */
  tty: boolean;
  /** Keep a stdin pipe (or the pty input) open for attach (-i). */
  openStdin: boolean;
  /**
   * Close the container's stdin when the first attached client detaches (docker's StdinOnce,
   * true for `run -i` without -d). Default false: stdin stays open for later attaches.
   */
  stdinOnce?: boolean;
  /** Where conmon writes the k8s-file log (the containers service owns the path, e.g. containers/<id>/ctr.log); null: no log (driver none). */
  logPath: string | null;
  /** Rotate nothing; conmon truncates the log above this many bytes (0/omitted: no limit). */
  logSizeMax?: number;
}

/** What `create` reports. */
export interface Created {
  /** The container's init process on the host (runc's pidfile). */
  pid: number;
  /** The conmon that monitors it (a grandchild we do not wait for). */
  conmonPid: number;
}

/** runc's view of the container; 'stopped' also covers "runc knows it but the process is gone". */
export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped';

export interface RuntimeState {
  id: string;
  status: RuntimeStatus;
  /** Host pid of the init process, 0 when stopped. */
  pid: number;
  /** Time runc created the container. */
  created: Date;
  bundle: string;
}

export interface ExitStatus {
  /** Process exit code, or 128 + signal number when killed by a signal (137 for SIGKILL). */
  exitCode: number;
  /** When conmon recorded the exit (the exit file's modification time). */
  exitedAt: Date;
  /** The cgroup's OOM killer fired for this container (conmon noticed it). */
  oomKilled: boolean;
}

/**
 * A live connection to conmon's attach socket (container or exec session).
 * stdout/stderr end when the process exits (or conmon goes away); with a tty,
 * everything arrives on stdout and stderr just ends. Writing to stdin writes
 * to the process's stdin (only meaningful with openStdin); ending stdin closes
 * the process's stdin only when the session was created with stdinOnce.
 */
export interface AttachStreams {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Disconnects (detach): the container keeps running. */
  close(): void;
}

export interface ExecIO {
  tty: boolean;
  /** Give the process a stdin pipe (exec -i). */
  openStdin: boolean;
  /**
   * Detached (exec -d): output is discarded, `streams` is null; `exit` still resolves.
   * Attached: conmon waits until our attach socket is connected before running the
   * process, so no output is lost.
   */
  detach: boolean;
  /** Initial pty size (attached tty sessions), applied before the process starts. */
  size?: TerminalSize;
}

export interface ExecSession {
  /** Random 32 hex; names <root>/<id>/exec/<execId>. */
  execId: string;
  /** Host pid of the exec'd process. */
  pid: number;
  /** Attached sessions only. */
  streams: AttachStreams | null;
  /** Resolves with the process's exit code (128+n for a signal) once it has exited and conmon recorded it. */
  exit: Promise<number>;
  resize(size: TerminalSize): Promise<void>;
}

export interface TerminalSize {
  height: number;
  width: number;
}

/** One sample of a container's cgroup counters (docker stats computes rates from two of them). */
export interface RuntimeStats {
  read: Date;
  cpu: {
    /** Total CPU time used by the container, ns. */
    totalNs: number;
    userNs: number;
    systemNs: number;
    /** Per-CPU usage, ns (cgroup v1 cpuacct.usage_percpu; empty on v2). */
    perCpuNs: number[];
    /** Host CPU time since boot (sum of /proc/stat's cpu line), ns: the denominator of docker's CPU %. */
    systemCpuNs: number;
    onlineCpus: number;
    throttling: { periods: number; throttledPeriods: number; throttledNs: number };
  };
  memory: {
    /** Bytes in use as the cgroup counts them (including page cache). */
    usage: number;
    /** Highest usage seen (v1 max_usage_in_bytes; v2 memory.peak when present, else 0). */
    maxUsage: number;
    /** The limit, or the host's total memory when unlimited. */
    limit: number;
    /** Page cache bytes (v1 total_cache / v2 file): docker subtracts inactive file from usage. */
    cache: number;
    /** memory.stat as read, key → value. */
    stats: Record<string, number>;
  };
  /** dockerd's blkio_stats lists that the cgroup has, by name (io_service_bytes_recursive, …). */
  blkio: BlkioStats;
  pids: { current: number; limit: number };
  /** Interfaces of the container's own network namespace (loopback left out): empty with host networking or none. */
  networks: Record<string, NetDevCounters>;
}

/** A bundle found under the exec root: what berthd needs to reattach after a restart. */
export interface RecoveredContainer {
  id: string;
  bundle: string;
  /** conmon's pid from conmon.pid, and whether that process is still a conmon. */
  conmonPid: number | null;
  conmonAlive: boolean;
  /** runc's state, or null when runc no longer knows the container. */
  state: RuntimeState | null;
  /** The recorded exit, when the container has exited (possibly while berthd was down). */
  exit: ExitStatus | null;
}

export interface LogReadOptions {
  /** Only entries at or after this time. */
  since?: Date;
  /** Only entries before this time. */
  until?: Date;
  /** Only the last N entries of the file; `since`/`until` then filter those (as Docker's json-file reader does). */
  tail?: number;
  /** Keep reading as the file grows, until `signal` aborts (or the file is removed). */
  follow?: boolean;
  signal?: AbortSignal;
}

/** One record of conmon's k8s-file log: `<RFC3339Nano> stdout|stderr F|P <text>`. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  time: Date;
  /** The timestamp exactly as written (nanosecond precision), for `logs -t`. */
  timestamp: string;
  /** The text without the trailing newline; `partial` says no newline followed it (conmon's "P"). */
  line: Buffer;
  partial: boolean;
}

export interface Runtime {
  /**
   * Writes the bundle and has conmon run `runc create`. Resolves once the container
   * exists (status 'created'); the process has not run its argv yet. On failure nothing
   * is left behind (bundle dir, runc state, conmon) and runc's message is in the error.
   */
  create(spec: RuntimeSpec, io: CreateIO): Promise<Created>;
  /** `runc start`: the init process executes its argv. */
  start(id: string): Promise<void>;
  /** Sends a signal (number or name, "SIGKILL"/"KILL"/"9") to the init process; `all` signals every process. */
  kill(id: string, signal: string | number, opts?: { all?: boolean }): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** runc's state; `notFound` when runc does not know the id. */
  state(id: string): Promise<RuntimeState>;
  /**
   * Removes the runc container (its cgroup with it), stops conmon and removes the
   * bundle directory. Without `force` a running container is a `conflict`.
   * Deleting an unknown id is not an error (it makes cleanup idempotent).
   */
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  /**
   * Resolves when conmon records the exit (immediately when it already has). Works for
   * containers created by an earlier berthd process. Rejects with `notFound` if there is
   * no bundle, with an AbortError when `signal` aborts, and with `internal` if conmon died
   * without recording an exit.
   */
  waitExit(id: string, signal?: AbortSignal): Promise<ExitStatus>;
  /** The recorded exit, or null when the container has not exited (or was never started). */
  readExit(id: string): Promise<ExitStatus | null>;
  /** Runs a process in the running container through conmon --exec. */
  exec(id: string, process: RuntimeProcess, io: ExecIO): Promise<ExecSession>;
  /** Connects to conmon's attach socket; output produced before this call is in the log only. */
  attach(id: string): Promise<AttachStreams>;
  /** Resizes the container's pty (through conmon's ctl fifo). No-op without a tty. */
  resize(id: string, size: TerminalSize): Promise<void>;
  /** `runc update` on a running or paused container. */
  update(id: string, resources: Resources): Promise<void>;
  stats(id: string): Promise<RuntimeStats>;
  /** Host pids of all processes in the container (for `top`). */
  processes(id: string): Promise<number[]>;
  /** Every bundle under the exec root with its conmon, runc state and recorded exit. */
  recover(): Promise<RecoveredContainer[]>;
  /** Reads a k8s-file log written by conmon (see LogReadOptions). */
  readLog(path: string, opts?: LogReadOptions): AsyncIterable<LogEntry>;
}

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability the kernel knows (up to CAP_CHECKPOINT_RESTORE, Linux 5.9), for --privileged and --cap-add ALL. */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Docker's default /dev/shm size. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Where --init's binary appears inside the container (as in Docker). */
export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';


/** The /proc and /sys paths a non-privileged container gets masked or read-only (inspect reports them, as dockerd). */
export { MASKED_PATHS as DEFAULT_MASKED_PATHS, READONLY_PATHS as DEFAULT_READONLY_PATHS } from './oci-defaults.js';
