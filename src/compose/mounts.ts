/**
 * A service's filesystem mounts as compose v2 sends them: bind mounts that
 * may create their host path go through `Binds` (the engine makes a
 * missing directory), every other mount through `Mounts`; `configs` and
 * `secrets` from files are read-only bind mounts at `/<name>` and
 * `/run/secrets/<name>` (the other kinds are written in: inject.ts);
 * `tmpfs:` entries become HostConfig.Tmpfs.
 */
import type { MountSpec } from '../client/index.js';
import { ramInBytes } from './go-json.js';
import { definitionOf, fileTarget } from './inject.js';
import type { Project } from './project.js';
import type { VolumeConfig } from './short-syntax.js';

type Dict = Record<string, unknown>;

export interface ServiceMounts {
  Binds: string[];
  Mounts: MountSpec[];
  Tmpfs?: Record<string, string>;
}

/** Anonymous volumes inherited from a replaced container, by target path. */
export function serviceMounts(project: Project, service: Dict, inherited: Record<string, string>): ServiceMounts {
  const volumes = (service.volumes ?? []) as VolumeConfig[];
  const legacy = volumes.filter(isLegacyBind);
  const mounts = volumes.filter((v) => !isLegacyBind(v)).map((v) => mountSpec(project, v, inherited));
  return {
    Binds: legacy.map(bindString),
    Mounts: [...mounts, ...fileMounts(project, service, 'secrets'), ...fileMounts(project, service, 'configs'), ...imageVolumes(volumes, inherited)],
    Tmpfs: tmpfs(service.tmpfs),
  };
}

/** A bind that may create its host path (the short syntax's behaviour) and needs no option only Mounts has. */
function isLegacyBind(v: VolumeConfig): boolean {
  return v.type === 'bind' && (v.bind?.create_host_path ?? true) !== false && !v.bind?.recursive;
}

function bindString(v: VolumeConfig): string {
  const options = [v.read_only ? 'ro' : 'rw', String(v.bind?.selinux ?? ''), String(v.bind?.propagation ?? '')].filter(Boolean);
  // compose-go's ServiceVolumeConfig.String(): the access mode is always written.
  return `${v.source}:${v.target}:${options.join(',')}`;
}

function mountSpec(project: Project, v: VolumeConfig, inherited: Record<string, string>): MountSpec {
  const readOnly = Boolean(v.read_only);
  if (v.type === 'volume' && !v.source && inherited[v.target]) return { Type: 'volume', Source: inherited[v.target], Target: v.target, ReadOnly: readOnly };
  if (v.type === 'bind') {
    const options: Dict = {};
    if (v.bind?.propagation) options.Propagation = v.bind.propagation;
    if (v.bind?.create_host_path === false) options.CreateMountpoint = false;
    return { Type: 'bind', Source: v.source, Target: v.target, ReadOnly: readOnly, BindOptions: Object.keys(options).length ? options : undefined };
  }
  if (v.type === 'tmpfs') {
    const t = (v.tmpfs ?? {}) as Dict;
    const options = { SizeBytes: t.size !== undefined ? ramInBytes(t.size) : undefined, Mode: t.mode as number | undefined };
    return { Type: 'tmpfs', Target: v.target, ReadOnly: readOnly, TmpfsOptions: options.SizeBytes || options.Mode ? options : undefined };
  }
  if (v.type !== 'volume' || !v.source) return { Type: v.type, Target: v.target, ReadOnly: readOnly };
  // A named volume is the project's `<project>_<key>` (or its `name:`); an undeclared source is used as is.
  const declared = project.model.volumes[v.source];
  const mount: MountSpec = { Type: 'volume', Source: declared ? String(declared.name) : v.source, Target: v.target, ReadOnly: readOnly };
  const volume = (v.volume ?? {}) as Dict;
  if (volume.nocopy || volume.subpath) mount.VolumeOptions = { NoCopy: Boolean(volume.nocopy), Subpath: volume.subpath as string | undefined };
  return mount;
}

/** Inherited anonymous volumes at paths the service does not mount itself (the image's VOLUMEs). */
function imageVolumes(volumes: VolumeConfig[], inherited: Record<string, string>): MountSpec[] {
  const mounted = new Set(volumes.map((v) => v.target));
  return Object.entries(inherited).filter(([target]) => !mounted.has(target)).map(([target, name]) => ({ Type: 'volume', Source: name, Target: target }));
}

/** `secrets:` / `configs:` backed by a file, bind-mounted read-only where compose v2 puts them (the others: inject.ts). */
function fileMounts(project: Project, service: Dict, kind: 'secrets' | 'configs'): MountSpec[] {
  return ((service[kind] ?? []) as Dict[]).flatMap((ref) => {
    const def = definitionOf(project, kind, ref);
    if (typeof def.file !== 'string') return [];
    return [{ Type: 'bind', Source: def.file, Target: fileTarget(kind, String(ref.source), ref.target as string | undefined), ReadOnly: true }];
  });
}

/** `tmpfs: [/run, "/tmp:size=64m,mode=1777"]` → {"/run": "", "/tmp": "size=64m,mode=1777"}. */
function tmpfs(value: unknown): Record<string, string> | undefined {
  const list = typeof value === 'string' ? [value] : ((value ?? []) as string[]);
  if (list.length === 0) return undefined;
  return Object.fromEntries(list.map((entry) => {
    const i = entry.indexOf(':');
    return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
  }));
}
