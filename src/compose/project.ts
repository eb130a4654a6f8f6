/**
 * Loads a compose project: finds its files, reads `.env` / `--env-file`,
 * and for each file parses, interpolates, validates against the
 * compose-spec schema (errors as `file:line: key: message`), puts it in
 * canonical form and resolves `extends`; then merges the files in order,
 * applies profiles, names the project and fills in compose's defaults.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { invalid } from '../lib/errors.js';
import { canonicalFileResources, canonicalService } from './canonical.js';
import { parseDotenv } from './dotenv.js';
import { resolveServiceEnvironment } from './environment.js';
import { resolveExtends, type LoadedFile } from './extends.js';
import { findFiles } from './files.js';
import { applyIncludes, canonicalIncludes, type IncludeEntry } from './include.js';
import { addDefaults, applyProfiles, checkConsistency, checkDependencies, checkLimitTwins, type ComposeModel } from './finalise.js';
import { interpolateTree, interpolationFailure, type Lookup } from './interpolate.js';
import { mergeTrees } from './merge.js';
import { checkProjectName, normaliseProjectName } from './names.js';
import { Validator } from './schema.js';
import { COMPOSE_SCHEMA } from './schema-data.js';
import { lineOf, parseSource, where, type ComposeSource } from './source.js';

export interface ProjectOptions {
  files?: string[];
  projectName?: string;
  projectDirectory?: string;
  /** false: `config --no-consistency` (undeclared references and services without an image are let through). */
  consistency?: boolean;
  envFiles?: string[];
  profiles?: string[];
  /** Services named on the command line: their profiles are enabled. */
  services?: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Contents of `-` (stdin) when a file is `-`. */
  stdin?: () => string;
  warn?: (message: string) => void;
  /** False: `${VAR}` stays as written (`config --no-interpolate`). */
  interpolate?: boolean;
}

export interface Project {
  model: ComposeModel;
  name: string;
  workingDir: string;
  configFiles: string[];
  /** The variables interpolation used: the OS environment over the env files. */
  environment: Record<string, string>;
  profiles: string[];
}

const TOP_LEVEL = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;
let validator: Validator | undefined;

export function loadProject(options: ProjectOptions): Project {
  const cwd = options.cwd ?? process.cwd();
  const osEnv = options.env ?? process.env;
  const warn = options.warn ?? (() => {});
  const projectDirGiven = options.projectDirectory ? resolve(cwd, options.projectDirectory) : undefined;
  // COMPOSE_FILE may come from the project directory's .env, so read that first when it is known.
  const preEnv = projectDirGiven ? readEnvFiles(options.envFiles, projectDirGiven, cwd, osEnv) : {};
  const found = findFiles(options.files ?? [], cwd, { ...preEnv, ...osEnv }, projectDirGiven);
  found.warnings.forEach(warn);
  const workingDir = projectDirGiven ?? (found.files[0] === '-' ? cwd : dirname(found.files[0]));
  const environment = { ...readEnvFiles(options.envFiles, workingDir, cwd, osEnv), ...definedOnly(osEnv) };
  const lookup: Lookup = (name) => environment[name];
  const unset = new Set<string>();
  const ctx: LoadContext = { cwd, lookup, warnUnset: (n) => unset.add(n), stdin: options.stdin, cache: new Map(), interpolate: options.interpolate ?? true };

  const sources = found.files.map((file) => loadFile(file, workingDir, ctx));
  let merged: Record<string, unknown> = {};
  for (const { source } of sources) {
    if ('version' in source.data) warn(`${source.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
  }
  for (const { source, data } of sources) merged = mergeTrees(merged, data, source) as Record<string, unknown>;
  merged = applyIncludes(merged, workingDir, (entry) => loadIncluded(entry, environment, osEnv, ctx));
  for (const name of unset) warn(`The "${name}" variable is not set. Defaulting to a blank string.`);

  const name = projectName(options.projectName, environment, merged, workingDir);
  const model = toModel(merged, name);
  const profiles = options.profiles?.length ? options.profiles : (environment.COMPOSE_PROFILES ?? '').split(',').filter(Boolean);
  applyProfiles(model, profiles, options.services);
  checkDependencies(model);
  addDefaults(model);
  checkLimitTwins(model);
  if (options.consistency !== false) checkConsistency(model);
  for (const [service, def] of Object.entries(model.services)) resolveServiceEnvironment(service, def, lookup);
  return { model, name, workingDir, configFiles: found.files, environment, profiles };
}

interface LoadContext {
  /** File names in messages are relative to it. */
  cwd: string;
  lookup: Lookup;
  warnUnset: (name: string) => void;
  stdin?: () => string;
  /** Files loaded for `extends`, by absolute path. */
  cache: Map<string, LoadedFile>;
  interpolate: boolean;
}

/**
 * An included application: its env files (default: its project directory's
 * `.env`) under the including project's environment, its files merged, and
 * its own includes.
 */
function loadIncluded(entry: IncludeEntry, projectEnv: Record<string, string>, osEnv: Record<string, string | undefined>, ctx: LoadContext): Record<string, unknown> {
  const environment = { ...readEnvFiles(entry.envFiles, entry.projectDirectory, entry.projectDirectory, osEnv), ...projectEnv };
  const own: LoadContext = { ...ctx, lookup: (name) => environment[name], cache: new Map() };
  let merged: Record<string, unknown> = {};
  for (const path of entry.paths) {
    const { source, data } = loadFile(path, entry.projectDirectory, own);
    merged = mergeTrees(merged, data, source) as Record<string, unknown>;
  }
  return applyIncludes(merged, entry.projectDirectory, (inner) => loadIncluded(inner, projectEnv, osEnv, ctx));
}

/** One file through parse → interpolate → validate → canonical → extends. */
function loadFile(file: string, baseDir: string, ctx: LoadContext): { source: ComposeSource; data: Record<string, unknown> } {
  const source = parseSource(displayName(file, ctx.cwd), readText(file, ctx));
  const data = ctx.interpolate
    ? (interpolateTree(source.data, ctx.lookup, ctx.warnUnset, (path, err) => interpolationFailure(where(source, path), path, err)) as Record<string, unknown>)
    : source.data;
  // An uninterpolated file may not fit the schema's types (`${PORT}` where a number goes): it is shown as written.
  if (ctx.interpolate) validate(source, data);
  const canonical = canonicalTree(data, baseDir, file === '-' ? baseDir : dirname(file));
  const loaded: LoadedFile = { path: file === '-' ? resolve(baseDir, 'stdin') : file, services: canonical.services as LoadedFile['services'] };
  resolveExtends(loaded, (path) => loadExtendsFile(path, ctx));
  return { source, data: canonical };
}

/** A file named by `extends.file`: its relative paths resolve against its own directory. */
function loadExtendsFile(path: string, ctx: LoadContext): LoadedFile {
  const cached = ctx.cache.get(path);
  if (cached) return cached;
  const { data } = loadFile(path, dirname(path), ctx);
  const loaded: LoadedFile = { path, services: (data.services ?? {}) as LoadedFile['services'] };
  ctx.cache.set(path, loaded);
  return loaded;
}

function readText(file: string, ctx: LoadContext): string {
  if (file === '-') {
    if (!ctx.stdin) throw invalid('reading a compose file from stdin is not supported here');
    return ctx.stdin();
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`open ${file}: no such file or directory`);
    throw err;
  }
}

function displayName(file: string, cwd: string): string {
  if (file === '-') return 'stdin';
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function validate(source: ComposeSource, data: unknown): void {
  validator ??= new Validator(COMPOSE_SCHEMA);
  const errors = validator.validate(data);
  if (errors.length === 0) return;
  const located = errors.map((e) => ({ line: lineOf(source, e.at ?? e.path) ?? 0, text: `${where(source, e.at ?? e.path)}${e.path || '(root)'}: ${e.message}` }));
  const lines = located.sort((a, b) => a.line - b.line).map((e) => e.text);
  throw invalid(lines.join('\n'));
}

/** `baseDir` resolves the services' relative paths (the project directory), `fileDir` the file's includes. */
function canonicalTree(data: Record<string, unknown>, baseDir: string, fileDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  const include = canonicalIncludes(data.include, fileDir);
  if (include) out.include = include;
  const services = (data.services ?? {}) as Record<string, Record<string, unknown>>;
  out.services = Object.fromEntries(Object.entries(services).map(([n, s]) => [n, canonicalService(s ?? {}, baseDir)]));
  for (const key of ['secrets', 'configs'] as const) {
    const resources = canonicalFileResources(data[key], baseDir);
    if (resources) out[key] = resources;
  }
  return out;
}

function toModel(merged: Record<string, unknown>, name: string): ComposeModel {
  const model = { ...merged, name } as ComposeModel;
  for (const key of TOP_LEVEL) {
    const section = (merged[key] ?? {}) as Record<string, Record<string, unknown> | null>;
    model[key] = Object.fromEntries(Object.entries(section).map(([k, v]) => [k, v ?? {}]));
  }
  delete model.version;
  return model;
}

/** `-p`, then COMPOSE_PROJECT_NAME, then `name:`, then the project directory's name normalised. */
function projectName(flag: string | undefined, env: Record<string, string>, merged: Record<string, unknown>, workingDir: string): string {
  if (flag) return checkProjectName(flag);
  if (env.COMPOSE_PROJECT_NAME) return checkProjectName(env.COMPOSE_PROJECT_NAME);
  if (typeof merged.name === 'string' && merged.name) return checkProjectName(merged.name);
  return checkProjectName(normaliseProjectName(basename(workingDir)));
}

/** `--env-file`s (relative to the working directory), else the project directory's `.env` if any. */
function readEnvFiles(given: string[] | undefined, projectDir: string, cwd: string, osEnv: Record<string, string | undefined>): Record<string, string> {
  const files = given?.length ? given.map((f) => resolve(cwd, f)) : [resolve(projectDir, '.env')];
  const vars: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !given?.length) continue;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`Couldn't find env file: ${file}`);
      throw err;
    }
    Object.assign(vars, parseDotenv(text, file, (n) => osEnv[n] ?? vars[n]));
  }
  return vars;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

