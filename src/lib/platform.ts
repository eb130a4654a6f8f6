import { arch } from 'node:process';
import { invalid } from './errors.js';

/**
 * Platform specifiers ("os[/arch[/variant]]") as containerd's platforms
 * package reads them, which is what dockerd 20.10 uses for the `platform`
 * parameter of create, pull and build: the same forms are accepted, the same
 * normalisations made, and the same errors given (clients match on them).
 */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const COMPONENT = /^[A-Za-z0-9_-]+$/;

/** GOOS and GOARCH values Go knows (containerd's knownOS and knownArch). */
const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le',
  'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

/** Node's arch names to Go's, for the host's own platform. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: GO_ARCH[arch] ?? arch };
}

/** containerd's platforms.Parse; an empty specifier is the host's platform. */
export function parsePlatform(specifier: string | undefined): Platform {
  if (!specifier) return hostPlatform();
  if (specifier.includes('*')) throw invalid(`"${specifier}": wildcards not yet supported: invalid argument`);
  const parts = specifier.split('/');
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      throw invalid(`"${part}" is an invalid component of "${specifier}": platform specifier component must match "${COMPONENT.source}": invalid argument`);
    }
  }
  if (parts.length === 1) return parseOne(specifier, parts[0]!);
  if (parts.length === 2 || parts.length === 3) {
    const p = normalize({ os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) });
    if (parts.length === 3 && p.architecture === 'arm64' && !p.variant) p.variant = 'v8';
    return p;
  }
  throw invalid(`"${specifier}": cannot parse platform specifier: invalid argument`);
}

/** One component: an OS (with the host's architecture), else an architecture (on linux). */
function parseOne(specifier: string, part: string): Platform {
  const os = normalizeOs(part);
  if (KNOWN_OS.has(os)) return { os, architecture: hostPlatform().architecture };
  const p = normalize({ os: 'linux', architecture: part });
  if (KNOWN_ARCH.has(p.architecture)) return p;
  throw invalid(`"${specifier}": unknown operating system or architecture: invalid argument`);
}

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** containerd's Normalize: lower case, Go's names for the usual aliases, canonical variants. */
export function normalize(p: Platform): Platform {
  const os = normalizeOs(p.os);
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() ?? '';
  switch (architecture) {
    case 'i386':
      architecture = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8') variant = '';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  if (architecture === 'arm' && variant === 'v7') variant = '';
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** containerd's platforms.Format: "os/arch[/variant]". */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * containerd's platforms.Only(wanted).Match(have): the same platform, or one
 * the wanted one runs unchanged (amd64 v3 runs v2 and v1, armv7 runs v6 and v5,
 * arm64 runs 32-bit arm).
 */
export function platformRuns(wanted: Platform, have: Platform): boolean {
  const h = normalize(have);
  return compatible(normalize(wanted)).some((p) => p.os === h.os && p.architecture === h.architecture && (p.variant ?? '') === (h.variant ?? ''));
}

function compatible(p: Platform): Platform[] {
  const out = [p];
  const level = Number((p.variant ?? '').replace(/^v/, ''));
  if (p.architecture === 'amd64' && Number.isInteger(level) && level > 1) {
    for (let v = level - 1; v >= 1; v--) out.push(normalize({ os: p.os, architecture: 'amd64', variant: `v${v}` }));
  }
  if (p.architecture === 'arm') {
    const armLevel = p.variant ? level : 7;
    for (let v = armLevel - 1; Number.isInteger(v) && v >= 5; v--) out.push(normalize({ os: p.os, architecture: 'arm', variant: `v${v}` }));
  }
  if (p.architecture === 'arm64') out.push(...compatible({ os: p.os, architecture: 'arm', variant: p.variant || 'v8' }));
  return out;
}
