import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { errnoCode, invalid } from '../../lib/errors.js';
import type { MountSpec, MountType } from './types.js';

/**
 * Docker's parsing and validation of `-v` strings (HostConfig.Binds) and
 * `--mount` objects (HostConfig.Mounts), learnt from moby's
 * volume/mounts/linux_parser.go and written again here. A `-v` string is
 * first turned into a MountSpec and then validated like a `--mount`, which is
 * how Docker's error texts nest ("invalid volume specification: '…': invalid
 * mount config for type "bind": field VolumeOptions must not be specified").
 */

/** One mount after parsing, before any volume exists. */
export interface ParsedMount {
  type: MountType;
  /** Bind: the host path; volume: the name ('' for an anonymous volume). */
  source: string;
  /** Cleaned absolute path in the container. */
  destination: string;
  rw: boolean;
  /** The -v mode string; '' for --mount. */
  mode: string;
  /** Binds: propagation (default rprivate); '' otherwise. */
  propagation: string;
  copyData: boolean;
  /** Volumes: the driver asked for ('' = default), labels and driver options for a new volume. */
  driver: string;
  volumeLabels: Record<string, string> | null;
  volumeOptions: Record<string, string> | null;
  /** Tmpfs (--mount type=tmpfs): size=…, mode=…, ro. */
  tmpfsOptions: string[];
  nonRecursive: boolean;
  /** -v binds create a missing host path; --mount binds require it. */
  createSource: boolean;
  /** Whether the mode asked for SELinux relabeling (z/Z), which berth ignores. */
  relabel: boolean;
}

const RW_MODES = new Set(['rw', 'ro']);
const LABEL_MODES = new Set(['z', 'Z']);
export const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
const COPY_MODES = new Set(['nocopy']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);
const MODE_GROUPS = [RW_MODES, LABEL_MODES, PROPAGATIONS, COPY_MODES, CONSISTENCY_MODES];
const DEFAULT_PROPAGATION = 'rprivate';

export const invalidSpec = (raw: string) => `invalid volume specification: '${raw}'`;
const invalidMode = (mode: string) => `invalid mode: ${mode}`;

/** A -v mode: comma-separated words, each known, at most one of each group. */
export function isValidMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = MODE_GROUPS.map(() => 0);
  for (const word of mode.split(',')) {
    const group = MODE_GROUPS.findIndex((g) => g.has(word));
    if (group < 0) return false;
    counts[group]!++;
  }
  return counts.every((n) => n <= 1);
}

function modeWords(mode: string): string[] {
  return mode === '' ? [] : mode.split(',');
}

/** Parses one -v string: "/dst", "name:/dst", "/src:/dst", "src:/dst:mode". */
export function parseBind(raw: string, volumeDriver = ''): ParsedMount {
  const parts = raw.split(':');
  if (parts[0] === '' || parts.length > 3) throw invalid(invalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  if (parts.length === 1) {
    target = parts[0]!;
  } else if (parts.length === 2) {
    // "/foo:rw" is a destination and a mode, which only a bind or named volume may have.
    if (isValidMode(parts[1]!)) throw invalid(invalidSpec(raw));
    [source, target] = parts as [string, string];
  } else {
    [source, target, mode] = parts as [string, string, string];
  }
  if (!isValidMode(mode)) throw invalid(invalidMode(mode));
  const words = modeWords(mode);
  const spec: MountSpec = { Type: posix.isAbsolute(source) ? 'bind' : 'volume', Source: source, Target: target, ReadOnly: words.includes('ro') };
  if (volumeDriver !== '' && spec.Type === 'volume') spec.VolumeOptions = { DriverConfig: { Name: volumeDriver } };
  if (words.includes('nocopy')) spec.VolumeOptions = { ...spec.VolumeOptions, NoCopy: true };
  const propagation = words.find((w) => PROPAGATIONS.has(w));
  if (propagation) spec.BindOptions = { Propagation: propagation };
  let parsed: ParsedMount;
  try {
    parsed = parseMountSpec(spec, { checkBindSource: false });
  } catch (err) {
    throw invalid(`${invalidSpec(raw)}: ${(err as Error).message}`);
  }
  return { ...parsed, mode, createSource: parsed.type === 'bind', relabel: words.some((w) => LABEL_MODES.has(w)) };
}

/** Docker's errMountConfig: the reason wrapped with the mount's type. */
function mountConfigError(spec: MountSpec, reason: string): Error {
  return invalid(`invalid mount config for type "${spec.Type ?? ''}": ${reason}`);
}

/** Validates and normalises one --mount. `checkBindSource`: a missing bind source is an error (true for --mount). */
export function parseMountSpec(spec: MountSpec, { checkBindSource = true } = {}): ParsedMount {
  const reason = mountSpecProblem(spec, checkBindSource);
  if (reason !== null) throw mountConfigError(spec, reason);
  const base: ParsedMount = {
    type: spec.Type as MountType,
    source: '',
    destination: posix.normalize(spec.Target!).replace(/(.)\/+$/, '$1'),
    rw: !spec.ReadOnly,
    mode: '',
    propagation: '',
    copyData: false,
    driver: '',
    volumeLabels: null,
    volumeOptions: null,
    tmpfsOptions: [],
    nonRecursive: false,
    createSource: false,
    relabel: false,
  };
  if (spec.Type === 'bind') {
    return {
      ...base,
      source: posix.normalize(spec.Source!).replace(/(.)\/+$/, '$1'),
      propagation: spec.BindOptions?.Propagation || DEFAULT_PROPAGATION,
      nonRecursive: spec.BindOptions?.NonRecursive === true,
      createSource: spec.BindOptions?.CreateMountpoint === true,
    };
  }
  if (spec.Type === 'volume') {
    const options = spec.VolumeOptions;
    return {
      ...base,
      source: spec.Source ?? '',
      copyData: options?.NoCopy !== true,
      driver: options?.DriverConfig?.Name ?? '',
      volumeLabels: options?.Labels ?? null,
      volumeOptions: options?.DriverConfig?.Options ?? null,
    };
  }
  return { ...base, tmpfsOptions: tmpfsOptionsOf(spec) };
}

/** moby's validateMountConfig, in its order; null when the spec is fine. */
function mountSpecProblem(spec: MountSpec, checkBindSource: boolean): string | null {
  const target = spec.Target ?? '';
  if (target === '') return 'field Target must not be empty';
  if (posix.normalize(target) === '/' || posix.normalize(target) === '//') return "invalid specification: destination can't be '/'";
  if (!posix.isAbsolute(target)) return `invalid mount path: '${target}' mount path must be absolute`;
  switch (spec.Type) {
    case 'bind':
      return bindProblem(spec, checkBindSource);
    case 'volume':
      if (spec.BindOptions) return 'field BindOptions must not be specified';
      if (spec.TmpfsOptions) return 'field TmpfsOptions must not be specified';
      if (!spec.Source && spec.ReadOnly) return 'must not set ReadOnly mode when using anonymous volumes';
      return null;
    case 'tmpfs':
      if (spec.BindOptions) return 'field BindOptions must not be specified';
      if (spec.VolumeOptions) return 'field VolumeOptions must not be specified';
      if (spec.Source) return 'field Source must not be specified';
      return tmpfsProblem(spec);
    default:
      return 'mount type unknown';
  }
}

function bindProblem(spec: MountSpec, checkBindSource: boolean): string | null {
  const source = spec.Source ?? '';
  if (source === '') return 'field Source must not be empty';
  const propagation = spec.BindOptions?.Propagation;
  if (propagation && !PROPAGATIONS.has(propagation)) return `invalid propagation mode: ${propagation}`;
  if (spec.VolumeOptions) return 'field VolumeOptions must not be specified';
  if (spec.TmpfsOptions) return 'field TmpfsOptions must not be specified';
  if (!posix.isAbsolute(source)) return `invalid mount path: '${source}' mount path must be absolute`;
  if (checkBindSource && !spec.BindOptions?.CreateMountpoint && !pathExists(source)) return `bind source path does not exist: ${source}`;
  return null;
}

function tmpfsProblem(spec: MountSpec): string | null {
  const size = spec.TmpfsOptions?.SizeBytes ?? 0;
  const mode = spec.TmpfsOptions?.Mode ?? 0;
  if (!Number.isInteger(size) || size < 0) return `invalid tmpfs size: ${size}`;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) return `invalid tmpfs mode: ${mode}`;
  return null;
}

function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false;
    throw err;
  }
}

/** moby's ConvertTmpfsOptions: ro, mode in octal, the size in the largest unit that divides it. */
export function tmpfsOptionsOf(spec: MountSpec): string[] {
  const options: string[] = [];
  if (spec.ReadOnly) options.push('ro');
  const mode = spec.TmpfsOptions?.Mode ?? 0;
  if (mode !== 0) options.push(`mode=${mode.toString(8)}`);
  const size = spec.TmpfsOptions?.SizeBytes ?? 0;
  if (size !== 0) options.push(`size=${humanTmpfsSize(size)}`);
  return options;
}

function humanTmpfsSize(bytes: number): string {
  for (const [suffix, unit] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** --volumes-from "container[:mode]": the mode may only say ro/rw (and z/Z). */
export function parseVolumesFrom(spec: string): { container: string; rw: boolean } {
  if (spec === '') throw invalid('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  const container = colon < 0 ? spec : spec.slice(0, colon);
  const mode = colon < 0 ? '' : spec.slice(colon + 1);
  if (mode === '') return { container, rw: true };
  const words = modeWords(mode);
  if (!isValidMode(mode) || words.some((w) => PROPAGATIONS.has(w) || COPY_MODES.has(w))) throw invalid(invalidMode(mode));
  return { container, rw: !words.includes('ro') };
}

/**
 * A Config.Volumes path (image VOLUME or `-v /path`): absolute, and without
 * '..' (an image must not be able to aim a volume somewhere it did not name).
 */
export function parseConfigVolume(path: string): string {
  if (path.split('/').includes('..')) throw invalid(`invalid volume path "${path}": paths with ".." are not allowed`);
  return parseBind(path).destination;
}
