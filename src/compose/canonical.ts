/**
 * Per-file canonical forms (before merge): every attribute that has a list
 * form and a map form, or a short and a long syntax, is put in one form, so
 * that the merge rules of 13-merge.md apply to like with like. Relative host
 * paths are resolved here too, against the directory of the declaring file.
 */
import { invalid } from '../lib/errors.js';
import { parsePortShort, parseVolumeShort, resolveHostPath, type VolumeConfig } from './short-syntax.js';

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `["A=1", "B"]` or `{A: 1}` → `{A: "1", B: null}` (compose keeps unset entries as null). */
export function toMap(value: unknown, sep = '='): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(value)) {
    for (const item of value as string[]) {
      const i = item.indexOf(sep);
      if (i < 0) out[item] = null;
      else out[item.slice(0, i)] = item.slice(i + sep.length);
    }
  } else if (isDict(value)) {
    for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? null : String(v);
  }
  return out;
}

function listToKeys(value: unknown, fill: (name: string) => unknown): Dict {
  if (Array.isArray(value)) return Object.fromEntries((value as string[]).map((n) => [n, fill(n)]));
  return isDict(value) ? { ...value } : {};
}

const MAP_ATTRIBUTES = ['environment', 'labels', 'annotations', 'sysctls'] as const;

export function canonicalService(service: Dict, baseDir: string): Dict {
  const s: Dict = { ...service };
  for (const key of MAP_ATTRIBUTES) if (key in s) s[key] = toMap(s[key]);
  if ('extra_hosts' in s && Array.isArray(s.extra_hosts)) s.extra_hosts = hostsMap(s.extra_hosts as string[]);
  if ('depends_on' in s) s.depends_on = dependsOn(s.depends_on);
  if ('networks' in s) s.networks = listToKeys(s.networks, () => null);
  if (typeof s.build === 'string') s.build = { context: s.build };
  if (isDict(s.build)) s.build = canonicalBuild(s.build, baseDir);
  if ('env_file' in s) s.env_file = envFiles(s.env_file, baseDir);
  if (Array.isArray(s.ports)) s.ports = (s.ports as unknown[]).flatMap<Dict>((p) => (isDict(p) ? [canonicalPort(p)] : (parsePortShort(p as string) as unknown as Dict[])));
  if (Array.isArray(s.expose)) s.expose = (s.expose as unknown[]).map(String);
  if (Array.isArray(s.volumes)) s.volumes = (s.volumes as unknown[]).map((v) => canonicalVolume(v, baseDir));
  for (const key of ['secrets', 'configs']) {
    if (Array.isArray(s[key])) s[key] = (s[key] as unknown[]).map((v) => (typeof v === 'string' ? { source: v } : v));
  }
  for (const key of ['command', 'entrypoint']) if (typeof s[key] === 'string') s[key] = shellSplit(s[key] as string);
  for (const key of ['dns', 'dns_search', 'tmpfs']) if (typeof s[key] === 'string') s[key] = [s[key]];
  return s;
}

function canonicalPort(port: Dict): Dict {
  const out: Dict = { mode: 'ingress', protocol: 'tcp', ...port };
  if (out.published !== undefined) out.published = String(out.published);
  if (typeof out.target === 'string') out.target = Number(out.target);
  return out;
}

function canonicalVolume(spec: unknown, baseDir: string): VolumeConfig {
  const volume = typeof spec === 'string' ? parseVolumeShort(spec) : ({ ...(spec as VolumeConfig) } as VolumeConfig);
  if (volume.type === 'bind' && volume.source) volume.source = resolveHostPath(volume.source, baseDir);
  return volume;
}

function hostsMap(list: string[]): Dict {
  // `host:ip` and `host=ip`; an IPv6 address contains colons, so split on the first separator only.
  return Object.fromEntries(list.map((h) => (h.includes('=') ? h.split(/=(.*)/s) : h.split(/:(.*)/s)).slice(0, 2)));
}

/** `[a, b]` → `{a: {condition: service_started, required: true}}`, as compose v2 prints it. */
function dependsOn(value: unknown): Dict {
  const map = listToKeys(value, () => ({}));
  for (const [name, v] of Object.entries(map)) map[name] = { condition: 'service_started', required: true, ...(v as Dict) };
  return map;
}

function canonicalBuild(build: Dict, baseDir: string): Dict {
  const out: Dict = { ...build };
  const context = typeof out.context === 'string' ? out.context : '.';
  // A URL (git, http) is passed as is; a path is resolved.
  out.context = isRemoteContext(context) ? context : resolveHostPath(context, baseDir);
  if (!out.dockerfile && !out.dockerfile_inline) out.dockerfile = 'Dockerfile';
  for (const key of ['args', 'labels']) if (key in out) out[key] = toMap(out[key]);
  if (Array.isArray(out.secrets)) out.secrets = (out.secrets as unknown[]).map((v) => (typeof v === 'string' ? { source: v } : v));
  if (isDict(out.additional_contexts)) {
    // A local directory is resolved; `docker-image://…`, `service:…`, `target:…` and URLs are kept as written.
    out.additional_contexts = Object.fromEntries(Object.entries(out.additional_contexts).map(([name, where]) =>
      [name, typeof where === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(where) ? resolveHostPath(where, baseDir) : where]));
  }
  return out;
}

function envFiles(value: unknown, baseDir: string): Dict[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((f) => {
    const entry: Dict = typeof f === 'string' ? { path: f, required: true } : { required: true, ...(f as Dict) };
    entry.path = resolveHostPath(String(entry.path), baseDir);
    return entry;
  });
}

/** Top-level resources whose list forms need no change but whose relative `file:` paths do. */
export function canonicalFileResources(resources: unknown, baseDir: string): Dict | undefined {
  if (!isDict(resources)) return undefined;
  const out: Dict = {};
  for (const [name, def] of Object.entries(resources)) {
    const d = isDict(def) ? { ...def } : {};
    if (typeof d.file === 'string') d.file = resolveHostPath(d.file, baseDir);
    out[name] = d;
  }
  return out;
}

/** A command string split into words as a POSIX shell would (quotes, backslashes), without expansion: compose v2 does this for `command` and `entrypoint`. */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && /["\\$`]/.test(text[i + 1] ?? '')) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\') {
      word = (word ?? '') + (text[++i] ?? '');
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw invalid(`invalid command line string: unterminated quote in ${JSON.stringify(text)}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** A build context the engine fetches (a git or http(s) URL): kept as written, never resolved as a path. */
export function isRemoteContext(context: string): boolean {
  return /^[a-z]+:\/\/|^git@|\.git(#|$)/.test(context);
}
