import { posix } from 'node:path';
import { invalid } from '../../lib/errors.js';
import { parseBind, parseConfigVolume, parseMountSpec, parseVolumesFrom, type ParsedMount } from './parse.js';
import type { PlanInput, PlannedMount } from './types.js';

/**
 * The first half of planning, without side effects: which mount goes at which
 * destination, in Docker's order of precedence (moby's registerMountPoints):
 *
 *   1. --volumes-from: the other container's mounts (read-only if asked);
 *   2. -v (Binds) and 3. --mount override them; two of these at one
 *      destination, or one where a --tmpfs is, is "Duplicate mount point";
 *   4. --tmpfs;
 *   5. Config.Volumes (image VOLUMEs, `-v /path`): an anonymous volume
 *      wherever nothing else is mounted.
 */

/** A mount to be: parsed from this container's config, or inherited from another container. */
export type Draft = { kind: 'own'; parsed: ParsedMount; hidden: boolean } | { kind: 'inherited'; planned: PlannedMount };

export interface Drafts {
  byDestination: Map<string, Draft>;
  warnings: string[];
}

const duplicate = (destination: string) => invalid(`Duplicate mount point: ${destination}`);

export async function draftMounts(input: PlanInput): Promise<Drafts> {
  const byDestination = new Map<string, Draft>();
  const warnings: string[] = [];
  for (const spec of input.volumesFrom) {
    const { container, rw } = parseVolumesFrom(spec);
    for (const planned of await input.lookupContainer(container)) {
      if (!planned.inspect) continue; // --tmpfs of the other container is not lent, as in Docker
      const point = { ...planned.point, RW: planned.point.RW && rw, Mode: '' };
      byDestination.set(point.Destination, { kind: 'inherited', planned: { ...planned, point, copyData: false } });
    }
  }
  const explicit = new Set<string>();
  const tmpfsDestinations = new Set(Object.keys(input.tmpfs).map(cleanDestination));
  const addExplicit = (parsed: ParsedMount, shownDestination: string) => {
    if (explicit.has(parsed.destination) || tmpfsDestinations.has(parsed.destination)) throw duplicate(shownDestination);
    explicit.add(parsed.destination);
    byDestination.set(parsed.destination, { kind: 'own', parsed, hidden: false });
  };
  for (const raw of input.binds) {
    const parsed = parseBind(raw, input.volumeDriver ?? '');
    if (parsed.relabel) warnings.push(`SELinux relabeling (:z/:Z) of ${parsed.destination} is not supported by berth and was ignored`);
    // Docker shows "z" as the mode of a -v volume given without one (moby's setBindModeIfNull).
    addExplicit(parsed.type === 'volume' && parsed.mode === '' ? { ...parsed, mode: 'z' } : parsed, parsed.destination);
  }
  for (const spec of input.mounts) addExplicit(parseMountSpec(spec), spec.Target ?? '');
  for (const [destination, options] of Object.entries(input.tmpfs)) {
    const parsed = tmpfsFlag(destination, options);
    byDestination.set(parsed.destination, { kind: 'own', parsed, hidden: true });
  }
  for (const path of Object.keys(input.configVolumes)) {
    const destination = parseConfigVolume(path);
    if (byDestination.has(destination)) continue;
    byDestination.set(destination, { kind: 'own', parsed: parseBind(destination), hidden: false });
  }
  return { byDestination, warnings };
}

function cleanDestination(path: string): string {
  return posix.normalize(path).replace(/(.)\/+$/, '$1');
}

/** --tmpfs /path[:options]: validated like a --mount tmpfs; options are kept as given. */
function tmpfsFlag(destination: string, options: string): ParsedMount {
  const parsed = parseMountSpec({ Type: 'tmpfs', Target: destination });
  return { ...parsed, tmpfsOptions: options.split(',').filter(Boolean) };
}
