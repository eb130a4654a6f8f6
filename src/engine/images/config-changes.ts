import { posix } from 'node:path';
import { invalid } from '../../lib/errors.js';
import type { ContainerConfig } from './types.js';

/**
 * Applies Dockerfile-style change instructions (as `docker import -c` and
 * `docker commit -c` take them) to an image's container config.
 * Only the instructions Docker allows there are accepted.
 */
const HANDLERS: Record<string, (config: ContainerConfig, args: string) => void> = {
  CMD: (c, a) => (c.Cmd = commandForm(a)),
  ENTRYPOINT: (c, a) => (c.Entrypoint = commandForm(a)),
  ENV: (c, a) => applyEnv(c, a),
  EXPOSE: (c, a) => applyExpose(c, a),
  LABEL: (c, a) => applyLabels(c, a),
  ONBUILD: (c, a) => (c.OnBuild = [...(c.OnBuild ?? []), a.trim()]),
  STOPSIGNAL: (c, a) => (c.StopSignal = requireOne('STOPSIGNAL', a)),
  USER: (c, a) => (c.User = requireOne('USER', a)),
  VOLUME: (c, a) => applyVolumes(c, a),
  WORKDIR: (c, a) => (c.WorkingDir = posix.resolve(c.WorkingDir || '/', requireOne('WORKDIR', a))),
};

export function applyChanges(config: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const out: ContainerConfig = structuredClone(config);
  for (const change of changes) {
    const trimmed = change.trim();
    if (trimmed === '') continue;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
    const instruction = match[1]!.toUpperCase();
    const handler = HANDLERS[instruction];
    if (!handler) throw invalid(`${match[1]!.toLowerCase()} is not a valid change command`);
    handler(out, match[2]!);
  }
  return out;
}

/** JSON array form as is; anything else is shell form, run through /bin/sh -c. */
function commandForm(args: string): string[] {
  const json = tryJsonArray(args);
  if (json) return json;
  return ['/bin/sh', '-c', args.trim()];
}

function tryJsonArray(args: string): string[] | null {
  const text = args.trim();
  if (!text.startsWith('[')) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // Not valid JSON: Docker then treats the text as shell form.
  }
  return null;
}

function requireOne(instruction: string, args: string): string {
  const value = args.trim();
  if (value === '') throw invalid(`${instruction} requires exactly one argument`);
  return value;
}

/** `KEY=VALUE ...` pairs (quotes and backslashes as Dockerfile words) or the legacy `KEY VALUE` form. */
export function parseKeyValues(instruction: string, args: string): [string, string][] {
  const text = args.trim();
  const words = splitWords(text);
  if (words.length === 0) throw invalid(`${instruction} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const legacy = /^(\S+)\s+([\s\S]*)$/.exec(text);
    if (!legacy) throw invalid(`${instruction} names can not be blank`);
    return [[legacy[1]!, legacy[2]!.trim()]];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq <= 0) throw invalid(`${instruction} names can not be blank`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

/** Splits on unquoted whitespace, removing quotes and backslash escapes as the Dockerfile parser does. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '\\' && i + 1 < text.length) current += text[++i];
    else current += ch;
  }
  if (quote) throw invalid(`unmatched quote in ${JSON.stringify(text)}`);
  if (inWord) words.push(current);
  return words;
}

function applyEnv(config: ContainerConfig, args: string): void {
  const env = [...(config.Env ?? [])];
  for (const [key, value] of parseKeyValues('ENV', args)) {
    const at = env.findIndex((entry) => entry.split('=', 1)[0] === key);
    if (at >= 0) env[at] = `${key}=${value}`;
    else env.push(`${key}=${value}`);
  }
  config.Env = env;
}

function applyLabels(config: ContainerConfig, args: string): void {
  const labels = { ...(config.Labels ?? {}) };
  for (const [key, value] of parseKeyValues('LABEL', args)) labels[key] = value;
  config.Labels = labels;
}

function applyExpose(config: ContainerConfig, args: string): void {
  const ports = { ...(config.ExposedPorts ?? {}) };
  for (const spec of splitWords(args)) {
    for (const port of expandPortSpec(spec)) ports[port] = {};
  }
  config.ExposedPorts = ports;
}

/** "80", "80/udp", "8000-8002/tcp" → ["80/tcp"], … */
export function expandPortSpec(spec: string): string[] {
  const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!match) throw invalid(`invalid containerPort: ${spec}`);
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  const proto = (match[3] ?? 'tcp').toLowerCase();
  if (start < 1 || end > 65535 || end < start) throw invalid(`invalid range specified for container port: ${spec}`);
  const out: string[] = [];
  for (let port = start; port <= end; port++) out.push(`${port}/${proto}`);
  return out;
}

function applyVolumes(config: ContainerConfig, args: string): void {
  const volumes = { ...(config.Volumes ?? {}) };
  const paths = tryJsonArray(args) ?? splitWords(args);
  if (paths.length === 0) throw invalid('VOLUME requires at least one argument');
  for (const path of paths) {
    if (path.trim() === '') throw invalid('VOLUME specified can not be an empty string');
    volumes[path] = {};
  }
  config.Volumes = volumes;
}
