import type { RuntimeMount } from '../runtime/types.js';
import type { PlannedMount } from './types.js';

/** Docker's tmpfs defaults (moby's WithMounts); the user's options come after and win. */
const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev', 'rprivate'];
/** Option words that undo another: a later "exec" cancels a default "noexec". */
const OPPOSITES: Record<string, string> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev', rw: 'ro', noexec: 'exec', nosuid: 'suid', nodev: 'dev', ro: 'rw' };

/** moby's MergeTmpfsOptions: later flags override earlier opposites, later key=value override earlier keys. */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const merged: string[] = [];
  for (const option of options) {
    const key = option.includes('=') ? option.slice(0, option.indexOf('=') + 1) : null;
    const replaced = merged.findIndex((m) => (key ? m.startsWith(key) : m === option || m === OPPOSITES[option]));
    if (replaced >= 0) merged.splice(replaced, 1);
    merged.push(option);
  }
  return merged;
}

/** The OCI mount for one planned mount, with its source (a volume's data dir, a bind source) and resolved destination. */
export function ociMountOf(planned: PlannedMount, source: string, destination: string): RuntimeMount {
  const { point } = planned;
  if (point.Type === 'tmpfs') {
    return { destination, type: 'tmpfs', source: 'tmpfs', options: mergeTmpfsOptions([...TMPFS_DEFAULTS, ...planned.tmpfsOptions]) };
  }
  const options = [planned.nonRecursive ? 'bind' : 'rbind', point.Propagation || 'rprivate'];
  if (!point.RW) options.push('ro');
  return { destination, type: 'bind', source, options };
}

/** Parents before children, so that a mount inside another lands on top of it (Docker sorts the same way). */
export function byDepth<T extends { point: { Destination: string } }>(mounts: readonly T[]): T[] {
  const depth = (m: T) => m.point.Destination.split('/').filter(Boolean).length;
  return [...mounts].sort((a, b) => depth(a) - depth(b));
}
