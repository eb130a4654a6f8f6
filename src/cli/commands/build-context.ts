/**
 * The build context `berth build` sends with POST /build, prepared as the
 * docker CLI's legacy builder prepares it (docker/cli cli/command/image/build
 * and build/context.go, dockerignore.go):
 *
 * - a directory is packed on the fly into a tar stream (memory-bounded: one
 *   file chunk at a time), `.dockerignore` applied, but the Dockerfile and
 *   `.dockerignore` themselves always sent (the daemon drops them later);
 *   symlinks are sent as symlinks and never followed;
 * - `-` reads stdin, which is a tar (maybe compressed: the daemon unpacks it)
 *   or else a Dockerfile alone;
 * - an http(s) URL is downloaded here and treated like stdin;
 * - a Dockerfile from `-f -` or from outside the context directory is added
 *   to the tar under a random `.dockerfile.<hex>` name, and `.dockerignore`
 *   gets that name appended so the daemon removes it from the context.
 *
 * Errors are thrown with docker's texts; the caller prefixes
 * `unable to prepare context: ` where docker does (`ContextError`).
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { decompress, detectCompression, peek, readCapped } from '../../lib/compression.js';
import { parseDockerignore, PatternMatcher } from '../../lib/dockerignore.js';
import { headerFor, type HardlinkIndex } from '../../lib/tar/pack.js';
import { readTar, type EntryHeader } from '../../lib/tar/read.js';
import { entryBytes } from '../../lib/tar/sparse.js';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader, type TarType } from '../../lib/tar/writer.js';
import { goPathError } from '../opts/files.js';
import { isGitUrl, isUrl } from '../../lib/urlutil.js';
import { fetchAnyPort } from '../../lib/fetch-any-port.js';

export const DEFAULT_DOCKERFILE = 'Dockerfile';
const DOCKERIGNORE = '.dockerignore';
/** docker/cli peeks two tar blocks to tell a tar from a Dockerfile. */
const ARCHIVE_HEADER_SIZE = 512;
/** A Dockerfile read from stdin, a URL or a file outside the context is held in memory. */
const MAX_DOCKERFILE = 64 * 1024 * 1024;
const MAX_DOCKERIGNORE = 16 * 1024 * 1024;

/** A failure docker reports as `unable to prepare context: <message>`. */
export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

const errnoOf = (err: unknown) => (err as { code?: string }).code;

/** Go's filepath.EvalSymlinks error: `lstat <first missing component>: <errno text>`. */
async function evalSymlinks(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    let prefix = '';
    for (const part of path.split('/').filter(Boolean)) {
      prefix += `/${part}`;
      try {
        await lstat(prefix);
      } catch (inner) {
        throw goPathError('lstat', prefix, inner);
      }
    }
    throw goPathError('lstat', path, err);
  }
}

/** docker's ResolveAndValidateContextPath: absolute, symlinks evaluated, a directory. */
export async function resolveContextDir(given: string): Promise<string> {
  let dir: string;
  try {
    dir = await evalSymlinks(resolve(given));
  } catch (err) {
    throw new ContextError(`unable to evaluate symlinks in context path: ${(err as Error).message}`);
  }
  let st: Stats;
  try {
    st = await lstat(dir);
  } catch (err) {
    throw new ContextError(`unable to stat context directory "${dir}": ${goPathError('lstat', dir, err).message}`);
  }
  if (!st.isDirectory()) throw new ContextError(`context must be a directory: ${dir}`);
  return dir;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}

/**
 * docker's getDockerfileRelPath: the Dockerfile's path relative to the
 * context (`../x` when outside), `Dockerfile` (or `dockerfile`) by default;
 * `-` stays `-`. Returns the absolute path too.
 */
export async function dockerfileRelPath(contextDir: string, given: string): Promise<{ rel: string; abs: string }> {
  if (given === '-') return { rel: '-', abs: '-' };
  let abs = given;
  if (abs === '') {
    abs = join(contextDir, DEFAULT_DOCKERFILE);
    const lower = join(contextDir, DEFAULT_DOCKERFILE.toLowerCase());
    if (!(await lstatOrUndefined(abs)) && (await lstatOrUndefined(lower))) abs = lower;
  }
  if (!isAbsolute(abs)) abs = join(contextDir, abs);
  try {
    abs = await evalSymlinks(abs);
  } catch (err) {
    throw new ContextError(`unable to evaluate symlinks in Dockerfile path: ${(err as Error).message}`);
  }
  return { rel: relative(contextDir, abs) || '.', abs };
}

/** `.dockerignore` of the context root as a pattern list (none when absent). */
export async function readDockerignore(contextDir: string): Promise<string[]> {
  try {
    return parseDockerignore(await readFile(join(contextDir, DOCKERIGNORE), 'utf8'));
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
}

/**
 * docker's TrimBuildFilesFromExcludes: exceptions that keep `.dockerignore`
 * and the Dockerfile in what is sent; the daemon removes them afterwards.
 */
export function trimBuildFilesFromExcludes(excludes: readonly string[], dockerfile: string, dockerfileFromStdin: boolean): string[] {
  if (excludes.length === 0) return [];
  const matcher = new PatternMatcher([...excludes]);
  const result = [...excludes];
  if (matcher.matches(DOCKERIGNORE)) result.push(`!${DOCKERIGNORE}`);
  if (!dockerfileFromStdin && !dockerfile.startsWith('../') && matcher.matches(dockerfile)) result.push(`!${dockerfile}`);
  return result;
}

interface ContextFile {
  path: string;
  /** '/'-separated, relative to the context root. */
  rel: string;
  stat: Stats;
}

/**
 * Walks the context in lexical order with lstat (symlinks are entries, never
 * followed). An excluded directory is skipped whole unless the patterns have
 * `!` exceptions, which may bring back something below it.
 */
async function* walkContext(root: string, matcher: PatternMatcher | undefined): AsyncGenerator<ContextFile> {
  async function* walkDir(dir: string, relDir: string): AsyncGenerator<ContextFile> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (err) {
      if (errnoOf(err) === 'EACCES') throw new Error(`can't stat '${dir}'`);
      throw err;
    }
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const path = join(dir, name);
      let st: Stats;
      try {
        st = await lstat(path);
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') continue; // removed while we walked
        if (errnoOf(err) === 'EACCES') throw new Error(`can't stat '${path}'`);
        throw err;
      }
      if (matcher?.matches(rel)) {
        if (st.isDirectory() && matcher.mayMatchExceptionBelow(rel)) yield* walkDir(path, rel);
        continue;
      }
      yield { path, rel, stat: st };
      if (st.isDirectory()) yield* walkDir(path, rel);
    }
  }
  yield* walkDir(root, '');
}

function matcherFor(excludes: readonly string[] | undefined): PatternMatcher | undefined {
  return excludes && excludes.length > 0 ? new PatternMatcher([...excludes]) : undefined;
}

/**
 * docker's ValidateContextDirectory: every file that will be sent can be
 * read (symlinks and FIFOs are not opened), checked before anything is sent.
 */
export async function validateContextDirectory(root: string, excludes?: readonly string[]): Promise<void> {
  for await (const file of walkContext(root, matcherFor(excludes))) {
    if (!file.stat.isFile()) continue;
    try {
      await (await open(file.path, 'r')).close();
    } catch (err) {
      if (errnoOf(err) === 'EACCES') throw new Error(`no permission to read from '${file.path}'`);
      if (errnoOf(err) === 'ENOENT') continue;
      throw err;
    }
  }
}

export interface PackOptions {
  /** Patterns as parseDockerignore returns them (with docker's exceptions already added). */
  excludes?: readonly string[];
  /** Owner written for every entry (docker/cli sends 0:0); the files' own when absent. */
  owner?: { uid: number; gid: number };
}

/** Tars a context directory as a stream, produced as it is read. */
export function packContextDir(root: string, options: PackOptions = {}): Readable {
  return Readable.from(packEntries(root, options), { objectMode: false });
}

async function* packEntries(root: string, options: PackOptions): AsyncGenerator<Buffer> {
  const hardlinks: HardlinkIndex = new Map();
  for await (const { path, rel, stat: st } of walkContext(root, matcherFor(options.excludes))) {
    if (st.isSocket()) continue; // tar has no type for sockets; docker skips them too
    const header = await headerFor(path, rel, st, hardlinks);
    if (options.owner) {
      header.uid = options.owner.uid;
      header.gid = options.owner.gid;
    }
    yield* entryBytes(header, path, st); // sparse files go as their data only
  }
  yield END_OF_ARCHIVE;
}

function* fileEntry(header: Omit<TarHeader, 'type' | 'size'>, content: Buffer): Generator<Buffer> {
  yield encodeHeader({ ...header, type: 'file', size: content.length });
  yield content;
  yield padding(content.length);
}

/** A tar holding one file (a Dockerfile read from stdin or a URL). */
export function singleFileTar(name: string, content: Buffer): Readable {
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const header = { name, mode: 0o644, ...owner, mtime: Math.floor(Date.now() / 1000) };
  return Readable.from([...fileEntry(header, content), END_OF_ARCHIVE], { objectMode: false });
}

/** docker's IsArchive: compressed data, or a first block that is a valid tar header. */
export function isArchive(head: Buffer): boolean {
  if (detectCompression(head) !== 'none') return true;
  if (head.length < ARCHIVE_HEADER_SIZE) return false;
  const block = head.subarray(0, ARCHIVE_HEADER_SIZE);
  if (block.every((byte) => byte === 0)) return false;
  const field = block.toString('latin1', 148, 156).replace(/[\0 ]+/g, '');
  if (!/^[0-7]+$/.test(field)) return false;
  const stored = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < ARCHIVE_HEADER_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** docker's DetectArchiveReader: peeks two blocks; the stream returned still yields them. */
export async function detectArchive(input: Readable): Promise<{ stream: Readable; isArchive: boolean }> {
  const { head, stream } = await peek(input, ARCHIVE_HEADER_SIZE * 2);
  return { stream, isArchive: isArchive(head) };
}

export interface PreparedContext {
  /** The tar to send as the request body. */
  context: Readable;
  /** The `dockerfile` parameter: the Dockerfile's path inside the context. */
  dockerfile: string;
}

/**
 * docker's GetContextFromReader: a tar passes through untouched; anything
 * else is a Dockerfile, sent as the only file of the context.
 */
export async function contextFromReader(input: Readable, dockerfileName: string): Promise<PreparedContext> {
  const { stream, isArchive: archive } = await detectArchive(input);
  if (archive) return { context: stream, dockerfile: dockerfileName };
  if (dockerfileName === '-') throw new ContextError('build context is not an archive');
  if (dockerfileName !== '') throw new ContextError('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
  const dockerfile = await readCapped(stream, MAX_DOCKERFILE, 'Dockerfile');
  return { context: singleFileTar(DEFAULT_DOCKERFILE, dockerfile), dockerfile: DEFAULT_DOCKERFILE };
}

const TAR_TYPES: Partial<Record<string, TarType>> = {
  file: 'file',
  'contiguous-file': 'file',
  link: 'link',
  symlink: 'symlink',
  'character-device': 'character-device',
  'block-device': 'block-device',
  directory: 'directory',
  fifo: 'fifo',
};

function toTarHeader(header: EntryHeader, xattrs: ReadonlyMap<string, Buffer>): TarHeader | undefined {
  const type = TAR_TYPES[header.type ?? 'file'];
  if (!type) return undefined;
  return {
    name: header.name,
    type,
    mode: header.mode ?? 0o644,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    size: type === 'file' ? (header.size ?? 0) : 0,
    mtime: Math.floor((header.mtime?.getTime() ?? 0) / 1000),
    linkname: header.linkname ?? undefined,
    devmajor: header.devmajor,
    devminor: header.devminor,
    xattrs: xattrs.size > 0 ? xattrs : undefined,
  };
}

/**
 * docker's AddDockerfileToBuildContext: the context tar with the Dockerfile
 * added as `.dockerfile.<20 hex>` (mode 0600) and that name appended to
 * `.dockerignore` (created as `.dockerignore\n<name>\n` when absent). The
 * input may be compressed; the output is a plain tar, streamed.
 */
export function addDockerfileToContext(dockerfile: Buffer, context: Readable): PreparedContext {
  const name = `.dockerfile.${randomBytes(10).toString('hex')}`;
  return { context: Readable.from(withDockerfile(context, dockerfile, name), { objectMode: false }), dockerfile: name };
}

async function* withDockerfile(input: Readable, dockerfile: Buffer, name: string): AsyncGenerator<Buffer> {
  const reader = await readTar((await decompress(input)).stream, { digest: false });
  const now = Math.floor(Date.now() / 1000);
  let sawIgnore = false;
  for await (const entry of reader.entries()) {
    const header = toTarHeader(entry.header, entry.xattrs);
    if (!header || entry.header.name === name) {
      for await (const _ of entry.body); // an entry tar cannot say, or one we replace
      continue;
    }
    if (entry.header.name === DOCKERIGNORE && header.type === 'file') {
      sawIgnore = true;
      const content = await readCapped(Readable.from(entry.body), MAX_DOCKERIGNORE, DOCKERIGNORE);
      yield* fileEntry(header, Buffer.concat([content, Buffer.from(`\n${name}\n`)]));
      continue;
    }
    yield encodeHeader(header);
    for await (const chunk of entry.body) yield chunk;
    yield padding(header.size);
  }
  const added = { mode: 0o600, uid: 0, gid: 0, mtime: now };
  yield* fileEntry({ name, ...added }, dockerfile);
  if (!sawIgnore) yield* fileEntry({ name: DOCKERIGNORE, ...added }, Buffer.from(`${DOCKERIGNORE}\n${name}\n`));
  yield END_OF_ARCHIVE;
}

export { isGitUrl, isUrl } from '../../lib/urlutil.js';

/** docker's getWithStatusError: a GET whose 4xx/5xx answer becomes an error with the body. */
export async function download(url: string): Promise<{ stream: Readable; size: number }> {
  const fail = (why: string) => new ContextError(`unable to download remote context ${url}: ${why}`);
  let res: Response;
  try {
    res = await fetchAnyPort(url);
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    throw fail(`Get "${url}": ${cause?.message ?? (err as Error).message}`);
  }
  if (res.status >= 400) {
    const body = (await res.text().catch(() => '')).slice(0, 64 * 1024).trim();
    throw fail(`failed to GET ${url} with status ${res.status} ${res.statusText}: ${body}`);
  }
  const size = Number(res.headers.get('content-length') ?? -1);
  const stream = res.body ? Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>) : Readable.from([]);
  return { stream, size };
}

export interface PrepareOptions {
  /** The CONTEXT argument: a directory, `-` or a URL. */
  context: string;
  /** `-f`: '' for the default, `-` for stdin, else a path (relative to the working directory). */
  dockerfile: string;
  stdin: Readable;
  /** Wraps a downloaded context (progress display). */
  onDownload?: (stream: Readable, url: string, size: number) => Readable;
}

async function isLocalDir(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** docker's RunBuild up to the request: the context stream and the `dockerfile` parameter. */
export async function prepareBuildContext(options: PrepareOptions): Promise<PreparedContext> {
  const { context: spec, dockerfile: dockerfileName, stdin } = options;
  const dockerfileFromStdin = dockerfileName === '-';
  if (dockerfileFromStdin && spec === '-') throw new Error("invalid argument: can't use stdin for both build context and dockerfile");
  let extraDockerfile: Readable | Buffer | undefined = dockerfileFromStdin ? stdin : undefined;
  let prepared: PreparedContext;
  if (spec === '-') {
    prepared = await contextFromReader(stdin, dockerfileName);
  } else if (await isLocalDir(spec)) {
    const local = await prepareLocalDir(spec, dockerfileName, dockerfileFromStdin);
    prepared = local;
    extraDockerfile ??= local.outside;
  } else if (isGitUrl(spec)) {
    throw new ContextError(`git contexts are not supported: ${spec}`);
  } else if (isUrl(spec)) {
    const { stream, size } = await download(spec);
    prepared = await contextFromReader(options.onDownload ? options.onDownload(stream, spec, size) : stream, dockerfileName);
  } else {
    throw new ContextError(`path "${spec}" not found`);
  }
  if (extraDockerfile === undefined) return prepared;
  const content = Buffer.isBuffer(extraDockerfile) ? extraDockerfile : await readCapped(extraDockerfile, MAX_DOCKERFILE, 'Dockerfile');
  return addDockerfileToContext(content, prepared.context);
}

async function prepareLocalDir(dir: string, dockerfileName: string, dockerfileFromStdin: boolean): Promise<PreparedContext & { outside?: Buffer }> {
  const contextDir = await resolveContextDir(dir);
  // As docker: -f is relative to the working directory, not to the context.
  const given = dockerfileName !== '' && !dockerfileFromStdin ? resolve(dockerfileName) : dockerfileName;
  const { rel, abs } = await dockerfileRelPath(contextDir, given);
  const outside = rel.startsWith('../');
  let outsideContent: Buffer | undefined;
  if (!dockerfileFromStdin) {
    const shown = outside ? dockerfileName : rel;
    let st: Stats;
    try {
      st = await lstat(abs);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') throw new ContextError(`Cannot locate Dockerfile: "${abs}"`);
      throw new ContextError(`unable to stat Dockerfile: ${goPathError('lstat', abs, err).message}`);
    }
    if (st.isFile() && st.size === 0) throw new ContextError(`the Dockerfile (${shown}) cannot be empty`);
    if (outside) {
      try {
        outsideContent = await readFile(abs);
      } catch (err) {
        throw new Error(`unable to open Dockerfile: ${goPathError('open', dockerfileName, err).message}`);
      }
    }
  }
  const ignored = await readDockerignore(contextDir);
  try {
    await validateContextDirectory(contextDir, ignored);
  } catch (err) {
    throw new Error(`error checking context: ${(err as Error).message}`);
  }
  const excludes = trimBuildFilesFromExcludes(ignored, rel, dockerfileFromStdin);
  return { context: packContextDir(contextDir, { excludes, owner: { uid: 0, gid: 0 } }), dockerfile: rel, outside: outsideContent };
}
