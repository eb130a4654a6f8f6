/**
 * Parsers for the container flags of run/create/update, each a port of the
 * docker CLI's (opts package, go-units) with its error wording.
 */
import type { MountSpec, PortBinding, RestartPolicy, Ulimit } from '../../client/container-types.js';
import { readTextFile } from './files.js';
import { ramInBytes } from './values.js';

const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

function parseGoInt(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}

/** go-units ParseUlimit: `name=soft[:hard]`. */
export function parseUlimit(text: string): Ulimit {
  const eq = text.indexOf('=');
  if (eq === -1) throw new Error(`invalid ulimit argument: ${text}`);
  const name = text.slice(0, eq);
  if (!ULIMIT_NAMES.includes(name)) throw new Error(`invalid ulimit type: ${name}`);
  const limits = text.slice(eq + 1).split(':');
  if (limits.length > 2) throw new Error(`too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const hard = limits.length === 2 ? parseGoInt(limits[1]) : undefined;
  const soft = parseGoInt(limits[0]);
  const effectiveHard = hard ?? soft;
  if (effectiveHard !== -1 && soft > effectiveHard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${effectiveHard}`);
  return { Name: name, Hard: effectiveHard, Soft: soft };
}

/** A later `--ulimit` for the same name replaces the earlier one, as docker's UlimitOpt map does. */
export function collectUlimits(values: readonly string[]): Ulimit[] {
  const byName = new Map<string, Ulimit>();
  for (const value of values) {
    const limit = parseUlimit(value);
    byName.set(limit.Name, limit);
  }
  return [...byName.values()];
}

/** opts.ParseRestartPolicy: `name[:max-retries]`; the daemon validates the name. */
export function parseRestartPolicy(text: string): RestartPolicy {
  if (text === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  const count = colon === -1 ? '' : text.slice(colon + 1);
  if (colon !== -1 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[+-]?\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
  return { Name: name, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

export function isRestartPolicyNone(policy: RestartPolicy): boolean {
  return policy.Name === '' || policy.Name === 'no';
}

/** `--tmpfs /run:size=10m` → {"/run": "size=10m"}. */
export function parseTmpfs(values: readonly string[]): Record<string, string> {
  const tmpfs: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    if (colon === -1) tmpfs[value] = '';
    else tmpfs[value.slice(0, colon)] = value.slice(colon + 1);
  }
  return tmpfs;
}

/**
 * docker's parseSecurityOpts: `key=value` (or `key:value`), `no-new-privileges`
 * alone; a seccomp profile path is read here and sent as compact JSON, because
 * the daemon may not see the client's files.
 */
export function parseSecurityOpts(values: readonly string[]): string[] {
  return values.map((opt) => {
    let sep = opt.indexOf('=');
    if (sep === -1 && opt !== 'no-new-privileges') sep = opt.indexOf(':');
    const key = sep === -1 ? opt : opt.slice(0, sep);
    const value = sep === -1 ? '' : opt.slice(sep + 1);
    if (value === '' && key !== 'no-new-privileges') throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (key !== 'seccomp' || value === 'unconfined' || value === 'builtin') return opt;
    let profile: string;
    try {
      profile = readTextFile(value);
    } catch (err) {
      throw new Error(`opening seccomp profile (${value}) failed: ${(err as Error).message}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(profile))}`;
    } catch (err) {
      throw new Error(`compacting json for seccomp profile (${value}) failed: ${(err as Error).message}`);
    }
  });
}

/**
 * opts.EffectiveCapAddCapDrop: upper-case, `CAP_` prefixed (except ALL),
 * sorted; ALL wins on either side, and an explicitly added capability is not
 * dropped.
 */
export function effectiveCaps(add: readonly string[], drop: readonly string[]): { capAdd?: string[]; capDrop?: string[] } {
  const normalize = (caps: readonly string[]) =>
    new Set(caps.map((c) => c.trim().toUpperCase()).filter(Boolean).map((c) => (c === 'ALL' || c.startsWith('CAP_') ? c : `CAP_${c}`)));
  const adds = normalize(add);
  const drops = normalize(drop);
  const capAdd = adds.has('ALL') ? ['ALL'] : [...adds].sort();
  const capDrop = drops.has('ALL') ? ['ALL'] : [...drops].filter((c) => !adds.has(c)).sort();
  return { capAdd: capAdd.length ? capAdd : undefined, capDrop: capDrop.length ? capDrop : undefined };
}

/** `-a stdin|stdout|stderr` (any case). */
export function validateAttachStream(value: string): void {
  if (!['stdin', 'stdout', 'stderr'].includes(value.toLowerCase())) throw new Error('valid streams are STDIN, STDOUT and STDERR');
}

export const PULL_POLICIES = ['always', 'missing', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export function parsePullPolicy(value: string): PullPolicy {
  if (!(PULL_POLICIES as readonly string[]).includes(value)) {
    throw new Error(`invalid pull option: '${value}': must be one of "always", "missing" or "never"`);
  }
  return value as PullPolicy;
}

/** Splits `[ip:][hostPort:]containerPort`, keeping a bracketed IPv6 address whole. */
function splitPortSpec(spec: string): { ip: string; host: string; container: string } {
  let ip = '';
  let rest = spec;
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  if (bracket) [, ip, rest] = bracket;
  const parts = rest.split(':');
  if (bracket) {
    if (parts.length !== 2) throw new Error(`invalid port format for --publish: ${spec}`);
    return { ip, host: parts[0], container: parts[1] };
  }
  if (parts.length === 1) return { ip: '', host: '', container: parts[0] };
  if (parts.length === 2) return { ip: '', host: parts[0], container: parts[1] };
  if (parts.length === 3) return { ip: parts[0], host: parts[1], container: parts[2] };
  throw new Error(`invalid port format for --publish: ${spec}`);
}

function portRange(text: string, what: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw new Error(`invalid ${what}: ${text}`);
  const start = Number(match[1]);
  const end = match[2] ? Number(match[2]) : start;
  if (start > 65535 || end > 65535 || end < start) throw new Error(`invalid ${what}: ${text}`);
  return [start, end];
}

/** nat.ParsePortSpecs: `-p [ip:][hostPort:]containerPort[/proto]`, ranges included. */
export function parsePortSpecs(specs: readonly string[]): { exposed: Record<string, Record<string, never>>; bindings: Record<string, PortBinding[]> } {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const spec of specs) {
    const slash = spec.lastIndexOf('/');
    const proto = slash === -1 ? 'tcp' : spec.slice(slash + 1).toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`);
    const { ip, host, container } = splitPortSpec(slash === -1 ? spec : spec.slice(0, slash));
    const [cStart, cEnd] = portRange(container, 'containerPort');
    const [hStart, hEnd] = host ? portRange(host, 'hostPort') : [0, 0];
    if (host && hEnd - hStart !== cEnd - cStart && hStart !== hEnd) {
      throw new Error(`invalid ranges specified for container and host Ports: ${container} and ${host}`);
    }
    for (let port = cStart; port <= cEnd; port++) {
      const key = `${port}/${proto}`;
      exposed[key] = {};
      let hostPort = '';
      if (host) hostPort = hStart === hEnd ? (cStart === cEnd ? String(hStart) : `${hStart}`) : String(hStart + (port - cStart));
      (bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
    }
  }
  return { exposed, bindings };
}

/** `--mount type=bind,source=/a,target=/b[,readonly]` and the tmpfs options. */
export function parseMount(text: string): MountSpec {
  const mount: Partial<MountSpec> & { Type: string } = { Type: 'volume' };
  for (const field of text.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq === -1 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : field.slice(eq + 1);
    const boolValue = () => (eq === -1 ? true : value === 'true' || value === '1');
    switch (key) {
      case 'type':
        mount.Type = value;
        break;
      case 'source': case 'src':
        mount.Source = value;
        break;
      case 'target': case 'dst': case 'destination':
        mount.Target = value;
        break;
      case 'readonly': case 'ro':
        mount.ReadOnly = boolValue();
        break;
      case 'tmpfs-size':
        mount.TmpfsOptions = { ...mount.TmpfsOptions, SizeBytes: ramInBytes(value) };
        break;
      case 'tmpfs-mode':
        mount.TmpfsOptions = { ...mount.TmpfsOptions, Mode: parseInt(value, 8) };
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!mount.Target) throw new Error('target is required');
  return mount as MountSpec;
}

/** `-v`: `src:dst[:opts]` is a bind (or named volume); a lone path is an anonymous volume. */
export function splitVolumes(values: readonly string[]): { binds: string[]; volumes: Record<string, Record<string, never>> } {
  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const value of values) {
    if (value.includes(':')) binds.push(value);
    else volumes[value] = {};
  }
  return { binds, volumes };
}
