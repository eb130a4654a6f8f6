import { posix } from 'node:path';
import { invalid } from '../../lib/errors.js';
import { expandPortSpec } from '../../lib/port-spec.js';
import type { ContainerConfig } from './types.js';

/**
 * Splits an argument into words as the Dockerfile does: quotes removed, and
 * (given the builder's word processor) `$VAR` replaced from the environment.
 */
export type WordSplitter = (text: string, env: Map<string, string>) => string[];

type Words = (text: string) => string[];

/**
 * Applies Dockerfile-style change instructions (as `docker import -c` and
 * `docker commit -c` take them) to an image's container config.
 * Only the instructions Docker allows there are accepted; those the
 * Dockerfile expands variables in see the config's Env as it is so far.
 */
const HANDLERS: Record<string, (config: ContainerConfig, args: string, words: Words) => void> = {
  CMD: (c, a) => (c.Cmd = commandForm(a)),
  ENTRYPOINT: (c, a) => (c.Entrypoint = commandForm(a)),
  ENV: (c, a, w) => applyEnv(c, a, w),
  EXPOSE: (c, a, w) => applyExpose(c, a, w),
  LABEL: (c, a, w) => applyLabels(c, a, w),
  ONBUILD: (c, a) => (c.OnBuild = [...(c.OnBuild ?? []), a.trim()]),
  STOPSIGNAL: (c, a, w) => (c.StopSignal = requireOne('STOPSIGNAL', a, w)),
  USER: (c, a, w) => (c.User = requireOne('USER', a, w)),
  VOLUME: (c, a, w) => applyVolumes(c, a, w),
  WORKDIR: (c, a, w) => (c.WorkingDir = posix.resolve(c.WorkingDir || '/', requireOne('WORKDIR', a, w))),
};

export function applyChanges(config: ContainerConfig, changes: readonly string[], splitter?: WordSplitter): ContainerConfig {
  const out: ContainerConfig = structuredClone(config);
  const words: Words = (text) => (splitter ? splitter(text, envMap(out.Env)) : splitWords(text));
  for (const change of changes) {
    const trimmed = change.trim();
    if (trimmed === '') continue;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
    const instruction = match[1]!.toUpperCase();
    const handler = HANDLERS[instruction];
    if (!handler) throw invalid(`${match[1]!.toLowerCase()} is not a valid change command`);
    handler(out, match[2]!, words);
  }
  return out;
}

function envMap(env: readonly string[] | null | undefined): Map<string, string> {
  return new Map((env ?? []).map((entry) => {
    const eq = entry.indexOf('=');
    return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
  }));
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

function requireOne(instruction: string, args: string, words: Words): string {
  const value = args.trim();
  if (value === '') throw invalid(`${instruction} requires exactly one argument`);
  return words(value).join(' ');
}

/** `KEY=VALUE ...` pairs (quotes and backslashes as Dockerfile words) or the legacy `KEY VALUE` form. */
export function parseKeyValues(instruction: string, args: string, split: Words = splitWords): [string, string][] {
  const text = args.trim();
  const words = split(text);
  if (words.length === 0) throw invalid(`${instruction} requires at least one argument`);
  if (!splitWords(text)[0]!.includes('=')) {
    const legacy = /^(\S+)\s+([\s\S]*)$/.exec(text);
    if (!legacy) throw invalid(`${instruction} names can not be blank`);
    return [[legacy[1]!, split(legacy[2]!.trim()).join(' ')]];
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

function applyEnv(config: ContainerConfig, args: string, words: Words): void {
  const env = [...(config.Env ?? [])];
  for (const [key, value] of parseKeyValues('ENV', args, words)) {
    const at = env.findIndex((entry) => entry.split('=', 1)[0] === key);
    if (at >= 0) env[at] = `${key}=${value}`;
    else env.push(`${key}=${value}`);
  }
  config.Env = env;
}

function applyLabels(config: ContainerConfig, args: string, words: Words): void {
  const labels = { ...(config.Labels ?? {}) };
  for (const [key, value] of parseKeyValues('LABEL', args, words)) labels[key] = value;
  config.Labels = labels;
}

function applyExpose(config: ContainerConfig, args: string, words: Words): void {
  const ports = { ...(config.ExposedPorts ?? {}) };
  for (const spec of words(args.trim())) {
    for (const port of expandPortSpec(spec)) ports[port] = {};
  }
  config.ExposedPorts = ports;
}

function applyVolumes(config: ContainerConfig, args: string, words: Words): void {
  const volumes = { ...(config.Volumes ?? {}) };
  const paths = tryJsonArray(args) ?? words(args.trim());
  if (paths.length === 0) throw invalid('VOLUME requires at least one argument');
  for (const path of paths) {
    if (path.trim() === '') throw invalid('VOLUME specified can not be an empty string');
    volumes[path] = {};
  }
  config.Volumes = volumes;
}
