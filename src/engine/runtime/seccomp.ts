import { readFile } from 'node:fs/promises';
import { arch, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { invalid } from '../../lib/errors.js';

/**
 * Docker's seccomp profile format (moby profiles/seccomp) to OCI `linux.seccomp`.
 * The moby format carries rules for every architecture and capability set;
 * the OCI form must hold only what applies to this host and this container,
 * so rules are filtered by the host architecture, the kernel version and the
 * container's final capability set, as moby's seccomp.go does.
 */

interface MobyFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

interface MobySyscall {
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: unknown[] | null;
  includes?: MobyFilter;
  excludes?: MobyFilter;
}

interface MobyProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  syscalls?: MobySyscall[];
  flags?: string[];
  listenerPath?: string;
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  flags?: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number; args?: unknown[] }[];
}

/** Node's arch() → the names moby's profile uses in includes/excludes.arches. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
/** moby's arch names → libseccomp's, to find the host in archMap. */
const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM', '386': 'SCMP_ARCH_X86',
  ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64',
};

export interface HostFacts {
  /** moby arch name: amd64, arm64, … */
  arch: string;
  /** [major, minor] of the running kernel. */
  kernel: [number, number];
}

export function currentHost(): HostFacts {
  return { arch: GO_ARCH[arch()] ?? arch(), kernel: parseKernel(release()) };
}

function parseKernel(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

let defaultProfile: Promise<MobyProfile> | undefined;

/**
 * Docker's default profile, shipped as data beside this module's source
 * (src/engine/runtime/seccomp-default.json; this file runs from dist/src/engine/runtime/).
 */
export function loadDefaultProfile(): Promise<MobyProfile> {
  defaultProfile ??= readDefaultProfile();
  return defaultProfile;
}

async function readDefaultProfile(): Promise<MobyProfile> {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, 'seccomp-default.json'), resolve(here, '../../../../src/engine/runtime/seccomp-default.json')];
  for (const path of candidates) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null) return JSON.parse(text) as MobyProfile;
  }
  throw new Error(`default seccomp profile not found (looked in ${candidates.join(', ')})`);
}

/**
 * Converts a profile (moby format, or already OCI) for a container with the given
 * final capability set. Throws `invalid` for a profile that is not an object with a
 * defaultAction.
 */
export function toOciSeccomp(profile: Record<string, unknown>, capabilities: readonly string[], host: HostFacts = currentHost()): OciSeccomp {
  const p = profile as unknown as MobyProfile;
  if (typeof p !== 'object' || p === null || typeof p.defaultAction !== 'string') {
    throw invalid('decoding seccomp profile failed: defaultAction is missing');
  }
  if (p.architectures && p.archMap) throw invalid("decoding seccomp profile failed: 'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  const caps = new Set(capabilities);
  const out: OciSeccomp = {
    defaultAction: p.defaultAction,
    architectures: architecturesFor(p, host.arch),
    syscalls: [],
  };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  if (p.flags?.length) out.flags = p.flags;
  for (const call of p.syscalls ?? []) {
    if (!applies(call, caps, host)) continue;
    const names = call.names ?? (call.name ? [call.name] : []);
    if (names.length === 0) continue;
    const rule: OciSeccomp['syscalls'][number] = { names, action: call.action };
    if (call.errnoRet !== undefined) rule.errnoRet = call.errnoRet;
    if (call.args && call.args.length > 0) rule.args = call.args;
    out.syscalls.push(rule);
  }
  return out;
}

function architecturesFor(p: MobyProfile, hostArch: string): string[] {
  if (p.architectures) return p.architectures;
  const native = SCMP_ARCH[hostArch];
  const entry = p.archMap?.find((a) => a.architecture === native);
  return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [];
}

/** moby's rules: excludes win; includes need the arch, *every* listed cap, and a new-enough kernel. */
function applies(call: MobySyscall, caps: Set<string>, host: HostFacts): boolean {
  const ex = call.excludes ?? {};
  if (ex.arches?.includes(host.arch)) return false;
  if (ex.caps?.some((c) => caps.has(c))) return false;
  const inc = call.includes ?? {};
  if (inc.arches?.length && !inc.arches.includes(host.arch)) return false;
  if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) return false;
  if (inc.minKernel && compareKernel(host.kernel, parseKernel(inc.minKernel)) < 0) return false;
  return true;
}

function compareKernel(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
