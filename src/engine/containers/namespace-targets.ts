import { conflict, EngineError, invalid } from '../../lib/errors.js';
import { DEFAULT_SHM_SIZE } from '../runtime/types.js';
import { mountShareableShm, shmPathOf } from './shm.js';
import type { Container, HostConfig } from './types.js';

/**
 * `--pid container:<x>` and `--ipc container:<x>`, as dockerd does them:
 * at create the target must exist and is recorded by its full ID; at start
 * it must run (and, for IPC, be shareable), and the new container joins its
 * namespaces through /proc/<pid>/ns.
 */

const PREFIX = 'container:';

/** Rewrites container:<name> targets to container:<id>; an unknown target is dockerd's 400 "No such container". */
export function resolveNamespaceTargets(h: HostConfig, idOf: (name: string) => string): void {
  const resolve = (target: string) => {
    try {
      return PREFIX + idOf(target);
    } catch (err) {
      throw err instanceof EngineError && err.kind === 'notFound' ? invalid(err.message) : err;
    }
  };
  if (h.PidMode?.startsWith(PREFIX)) h.PidMode = resolve(h.PidMode.slice(PREFIX.length));
  if (h.IpcMode?.startsWith(PREFIX)) h.IpcMode = resolve(h.IpcMode.slice(PREFIX.length));
}

export interface JoinedNamespaces {
  pid?: { path: string };
  ipc?: { path: string } | 'host';
  /** The host path bound at /dev/shm: the IPC donor's (or the host's) shared memory. */
  shmSource?: string;
}

export interface Lookup {
  /** Throws dockerd's 404 for a target removed since create. */
  find: (id: string) => Container;
  /** A container's directory, where a shareable /dev/shm lives (shm.ts). */
  dirOf: (id: string) => string;
}

/** The namespaces a container joins at start, and the /dev/shm it binds (mounted here for --ipc shareable). */
export async function joinedNamespaces(c: Container, lookup: Lookup): Promise<JoinedNamespaces> {
  const out = joinedTargets(c.hostConfig, lookup);
  if (c.hostConfig.IpcMode === 'shareable') out.shmSource = await mountShareableShm(lookup.dirOf(c.id), c.hostConfig.ShmSize || DEFAULT_SHM_SIZE);
  return out;
}

function joinedTargets(h: HostConfig, { find, dirOf }: Lookup): JoinedNamespaces {
  const out: JoinedNamespaces = {};
  if (h.PidMode?.startsWith(PREFIX)) {
    const target = h.PidMode.slice(PREFIX.length);
    const donor = wrap(() => find(target), `cannot join PID of a non running container: ${target}`);
    out.pid = { path: `/proc/${runningPid(donor)}/ns/pid` };
  }
  if (h.IpcMode === 'host') out.shmSource = '/dev/shm';
  if (h.IpcMode?.startsWith(PREFIX)) {
    const target = h.IpcMode.slice(PREFIX.length);
    const prefix = `can't join IPC of container ${target}`;
    const donor = wrap(() => find(target), prefix);
    const pid = wrap(() => runningPid(donor), prefix);
    if (donor.hostConfig.IpcMode === 'host') {
      out.ipc = 'host';
      out.shmSource = '/dev/shm';
    } else if (donor.hostConfig.IpcMode === 'shareable') {
      out.ipc = { path: `/proc/${pid}/ns/ipc` };
      out.shmSource = shmPathOf(dirOf(donor.id));
    } else {
      throw new EngineError('internal', `${prefix}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
  }
  return out;
}

/** dockerd's checkContainer(containerIsRunning, containerIsNotRestarting). */
function runningPid(c: Container): number {
  if (!c.state.Running || !c.state.Pid) throw conflict(`container ${c.id} is not running`);
  if (c.state.Restarting) throw conflict(`container ${c.id} is restarting, wait until the container is running`);
  return c.state.Pid;
}

/** dockerd's errors.Wrap: the cause's message after the context, the cause's kind kept. */
function wrap<T>(fn: () => T, context: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof EngineError) throw new EngineError(err.kind, `${context}: ${err.message}`);
    throw err;
  }
}
