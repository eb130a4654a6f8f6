import { fetchAnyPort } from '../../lib/fetch-any-port.js';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress, peek } from '../../lib/compression.js';
import { invalid } from '../../lib/errors.js';
import { encodeHeader, END_OF_ARCHIVE } from '../../lib/tar/writer.js';
import type { ContainerService } from '../containers/types.js';
import { entriesTar, findSources, hashEntries, planEntries, type CopyPlan, type CopySource, type PlannedEntry } from './copy-sources.js';

/**
 * COPY and ADD, after their words are expanded: which files go where (the
 * trailing-slash rules), their cache identity, and writing them into a build
 * container with every path resolved inside its root filesystem.
 */

export interface CopyRequest {
  kind: 'COPY' | 'ADD';
  /** Expanded sources; URLs only for ADD. */
  sources: string[];
  /** Expanded destination, absolute (WORKDIR applied), trailing slash kept. */
  dest: string;
  chown?: string;
  chmod?: number;
  /** Shown in the cache key, e.g. "--from=builder". */
  fromNote?: string;
}

/** A COPY resolved against its source root: ready for a cache key and for writing. */
export interface PreparedCopy {
  /** The cache key's description: "file:<hash> in /dest ". */
  comment: string;
  /** Writes everything into the container. */
  apply(containers: ContainerService, containerId: string): Promise<void>;
}

interface LocalSource extends CopySource {
  /** ADD of a local archive: unpacked into the destination instead of copied. */
  archive: boolean;
  /** For ADD of a URL: the name the file gets in a destination directory. */
  urlName?: string;
  entries: PlannedEntry[];
  hash: string;
}

/** Where COPY reads from: the context or a mounted image; files hidden from COPY; a memo of source hashes when the root never changes. */
export interface CopyRoot {
  root: string;
  hidden: readonly string[];
  memo?: Map<string, unknown>;
  release(): Promise<void>;
}

export async function prepareCopy(request: CopyRequest, from: CopyRoot, download: (url: string) => Promise<CopySource & { urlName: string }>): Promise<PreparedCopy> {
  const { kind } = request;
  const sources: LocalSource[] = [];
  const local = request.sources.filter((s) => !isUrl(s));
  for (const source of request.sources.filter(isUrl)) {
    if (kind === 'COPY') throw invalid(`COPY failed: source can't be a URL for COPY`);
    sources.push(await describe(await download(source), false, []));
  }
  if (local.length > 0) {
    for (const found of await findSources(from.root, local, kind, from.hidden)) sources.push(await describeMemo(from, found, kind));
  }
  const wildcard = local.some((s) => /[*?[]/.test(s));
  if ((sources.length > 1 || (wildcard && sources.length > 0 && request.sources.length > 1)) && !request.dest.endsWith('/')) {
    throw invalid(`When using ${kind} with more than one source file, the destination must be a directory and end with a /`);
  }
  return {
    comment: `${kind} ${optionsNote(request)}${sourcesHash(sources)} in ${request.dest} `,
    apply: (containers, id) => applyCopy(containers, id, request, sources),
  };
}

async function describe(source: CopySource & { urlName?: string }, archive: boolean, hidden: readonly string[]): Promise<LocalSource> {
  const entries = await planEntries(source, hidden);
  return { ...source, archive, entries, hash: await hashEntries(entries) };
}

/** A source of a root that never changes (a cached context) is described once. */
async function describeMemo(from: CopyRoot, found: CopySource, kind: 'COPY' | 'ADD'): Promise<LocalSource> {
  const key = `copy-source\0${kind}\0${found.name}\0${from.hidden.join('\0')}`;
  const known = from.memo?.get(key) as LocalSource | undefined;
  if (known) return known;
  const described = await describe(found, kind === 'ADD' && (await isArchive(found)), from.hidden);
  from.memo?.set(key, described);
  return described;
}

function isUrl(source: string): boolean {
  return /^https?:\/\//.test(source);
}

function optionsNote(request: CopyRequest): string {
  const notes = [request.fromNote, request.chown && `--chown=${request.chown}`, request.chmod !== undefined && `--chmod=${request.chmod.toString(8)}`];
  return notes.filter(Boolean).map((n) => `${n} `).join('');
}

/** Docker's source identity: "file:<hash>" or "dir:<hash>" for one source, "multi:<hash>" for several. */
function sourcesHash(sources: readonly LocalSource[]): string {
  const one = (s: LocalSource) => `${s.stat.isDirectory() ? 'dir' : 'file'}:${s.hash}`;
  if (sources.length === 1) return one(sources[0]!);
  const hash = createHash('sha256');
  for (const s of sources) hash.update(`${one(s)}\n`);
  return `multi:${hash.digest('hex')}`;
}

async function applyCopy(containers: ContainerService, id: string, request: CopyRequest, sources: readonly LocalSource[]): Promise<void> {
  const destIsDir = request.dest.endsWith('/') || sources.length > 1 || (await isDirectoryIn(containers, id, request.dest));
  const destName = request.dest.replace(/^\/+/, '').replace(/\/+$/, '');
  const plans: CopyPlan[] = [];
  const archives: LocalSource[] = [];
  for (const source of sources) {
    if (source.archive) archives.push(source);
    else if (source.stat.isDirectory()) plans.push({ dest: destName, entries: source.entries });
    else plans.push({ dest: destIsDir ? joinName(destName, source.urlName ?? posix.basename(source.name)) : destName, entries: source.entries });
  }
  const put = { noOverwriteDirNonDir: false, copyUIDGID: false, chown: request.chown ?? '0:0' };
  if (plans.length > 0) await containers.archivePut(id, '/', entriesTar(plans, { mode: request.chmod }), put);
  for (const source of archives) {
    // A local archive is unpacked into the destination directory, made first if missing; its owners are kept unless --chown.
    if (destName && !(await isDirectoryIn(containers, id, request.dest))) await containers.archivePut(id, '/', directoryTar(destName), put);
    const { stream } = await decompress(createReadStream(source.hostPath));
    await containers.archivePut(id, `/${destName}`, stream, { noOverwriteDirNonDir: false, copyUIDGID: false, chown: request.chown });
  }
}

function joinName(dir: string, base: string): string {
  return dir ? `${dir}/${base}` : base;
}

async function isDirectoryIn(containers: ContainerService, id: string, path: string): Promise<boolean> {
  try {
    const stat = await containers.archiveStat(id, `${path.replace(/\/+$/, '')}/`);
    return (stat.mode & 0x80000000) !== 0;
  } catch {
    return false;
  }
}

/** A tar holding one directory entry (0755, root), to create a directory and its missing parents. */
export function directoryTar(name: string): Readable {
  const header = encodeHeader({ name, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: Math.floor(Date.now() / 1000) });
  return Readable.from([header, END_OF_ARCHIVE]);
}

/** ADD unpacks local tar archives, plain or compressed (gzip, bzip2, xz); anything else is copied as it is. */
async function isArchive(source: CopySource): Promise<boolean> {
  if (!source.stat.isFile() || source.stat.size < 6) return false;
  const { head, stream } = await peek(createReadStream(source.hostPath, { end: 511 }), 512);
  stream.destroy();
  const compressed = (head[0] === 0x1f && head[1] === 0x8b) || head.subarray(0, 3).toString('latin1') === 'BZh' || head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  const ustar = head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  return compressed || ustar;
}

/**
 * ADD <url>: the file is downloaded into `dir` (mode 0600, mtime from
 * Last-Modified when the server sends one), never unpacked, and named after
 * the URL's last path component when the destination is a directory.
 */
export async function downloadSource(url: string, dir: string, signal: AbortSignal): Promise<CopySource & { urlName: string }> {
  let response: Response;
  try {
    response = await fetchAnyPort(url, { signal });
  } catch (err) {
    throw invalid(`ADD failed: error downloading ${url}: ${(err as Error).message}`, err);
  }
  if (!response.ok || !response.body) throw invalid(`ADD failed: error downloading ${url}: ${response.status} ${response.statusText}`);
  const urlName = posix.basename(new URL(url).pathname) || '';
  if (!urlName) throw invalid(`ADD failed: cannot determine filename from url: ${url}`);
  const hostPath = join(dir, createHash('sha256').update(url).digest('hex'));
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(hostPath, { mode: 0o600 }));
  const modified = response.headers.get('last-modified');
  if (modified && !Number.isNaN(Date.parse(modified))) await utimes(hostPath, new Date(modified), new Date(modified));
  return { name: urlName, hostPath, stat: await lstat(hostPath), urlName };
}
