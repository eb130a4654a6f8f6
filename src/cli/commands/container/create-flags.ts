/**
 * The container flags `run` and `create` share, with docker's names, types,
 * defaults and value validation (parse-time errors, exit 125).
 */
import type { FlagSpec } from '../../flags.js';
import { parseUlimit, validateAttachStream } from '../../opts/container.js';
import { detachKeysFlag } from '../../opts/detach-keys.js';
import { memSwapBytes, parseGoDuration, parseNanoCpus, ramInBytes } from '../../opts/values.js';

const list = (long: string, usage: string, short?: string): FlagSpec => ({ long, short, type: 'stringArray', usage, valueName: 'list' });
const str = (long: string, usage: string, short?: string, defaultValue?: string): FlagSpec => ({ long, short, type: 'string', usage, valueName: 'string', default: defaultValue });
const bool = (long: string, usage: string, short?: string, defaultValue?: boolean): FlagSpec => ({ long, short, type: 'bool', usage, default: defaultValue });
const bytes = (long: string, usage: string, short?: string, parse = ramInBytes): FlagSpec => ({ long, short, type: 'string', usage, valueName: 'bytes', validate: (v) => void parse(v) });
const duration = (long: string, usage: string): FlagSpec => ({ long, type: 'string', usage, valueName: 'duration', validate: (v) => void parseGoDuration(v) });

export const CONTAINER_FLAGS: FlagSpec[] = [
  list('add-host', 'Add a custom host-to-IP mapping (host:ip)'),
  { ...list('attach', 'Attach to STDIN, STDOUT or STDERR', 'a'), validate: validateAttachStream },
  list('cap-add', 'Add Linux capabilities'),
  list('cap-drop', 'Drop Linux capabilities'),
  str('cidfile', 'Write the container ID to the file'),
  { long: 'cpu-shares', short: 'c', type: 'int', usage: 'CPU shares (relative weight)' },
  { long: 'cpus', type: 'string', usage: 'Number of CPUs', valueName: 'decimal', validate: (v) => void parseNanoCpus(v) },
  str('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
  list('dns', 'Set custom DNS servers'),
  str('entrypoint', 'Overwrite the default ENTRYPOINT of the image'),
  list('env', 'Set environment variables', 'e'),
  list('env-file', 'Read in a file of environment variables'),
  str('health-cmd', 'Command to run to check health'),
  duration('health-interval', 'Time between running the check (ms|s|m|h) (default 0s)'),
  { long: 'health-retries', type: 'int', usage: 'Consecutive failures needed to report unhealthy' },
  duration('health-start-period', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'),
  duration('health-timeout', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'),
  str('hostname', 'Container host name', 'h'),
  bool('init', 'Run an init inside the container that forwards signals and reaps processes'),
  bool('interactive', 'Keep STDIN open even if not attached', 'i'),
  str('ip', 'IPv4 address (e.g., 172.30.100.104)'),
  str('ip6', 'IPv6 address (e.g., 2001:db8::33)'),
  list('label', 'Set meta data on a container', 'l'),
  list('label-file', 'Read in a line delimited file of labels'),
  list('link', 'Add link to another container'),
  list('link-local-ip', 'Container IPv4/IPv6 link-local addresses'),
  str('mac-address', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'),
  bytes('memory', 'Memory limit', 'm'),
  bytes('memory-reservation', 'Memory soft limit'),
  bytes('memory-swap', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", undefined, memSwapBytes),
  { long: 'mount', type: 'stringArray', usage: 'Attach a filesystem mount to the container', valueName: 'mount' },
  str('name', 'Assign a name to the container'),
  { long: 'network', type: 'string', usage: 'Connect a container to a network', valueName: 'network', default: 'default' },
  list('network-alias', 'Add network-scoped alias for the container'),
  bool('no-healthcheck', 'Disable any container-specified HEALTHCHECK'),
  bool('oom-kill-disable', 'Disable OOM Killer'),
  { long: 'pids-limit', type: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
  bool('privileged', 'Give extended privileges to this container'),
  list('publish', "Publish a container's port(s) to the host", 'p'),
  str('pull', 'Pull image before running ("always", "missing", "never")', undefined, 'missing'),
  bool('quiet', 'Suppress the pull output', 'q'),
  bool('read-only', "Mount the container's root filesystem as read only"),
  str('restart', 'Restart policy to apply when a container exits', undefined, 'no'),
  bool('rm', 'Automatically remove the container and its associated anonymous volumes when it exits'),
  list('security-opt', 'Security Options'),
  bytes('shm-size', 'Size of /dev/shm'),
  str('stop-signal', 'Signal to stop the container'),
  { long: 'stop-timeout', type: 'int', usage: 'Timeout (in seconds) to stop a container' },
  list('tmpfs', 'Mount a tmpfs directory'),
  bool('tty', 'Allocate a pseudo-TTY', 't'),
  { long: 'ulimit', type: 'stringArray', usage: 'Ulimit options', valueName: 'ulimit', validate: (v) => void parseUlimit(v) },
  str('user', 'Username or UID (format: <name|uid>[:<group|gid>])', 'u'),
  list('volume', 'Bind mount a volume', 'v'),
  list('volumes-from', 'Mount volumes from the specified container(s)'),
  str('workdir', 'Working directory inside the container', 'w'),
];

/** `run` adds these to the shared set. */
export const RUN_ONLY_FLAGS: FlagSpec[] = [
  bool('detach', 'Run container in background and print container ID', 'd'),
  detachKeysFlag,
  bool('sig-proxy', 'Proxy received signals to the process', undefined, true),
];
