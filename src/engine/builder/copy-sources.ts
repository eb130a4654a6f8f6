import { createHash, type Hash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { errnoCode, invalid } from '../../lib/errors.js';
import { goPathMatch } from '../../lib/go-match.js';
import { PathError, resolveInRoot } from '../../lib/safe-path.js';
import { tarTypeOf } from '../../lib/tar/pack.js';
import { entryBytes } from '../../lib/tar/sparse.js';
import { isZero } from '../../lib/tar/zeros.js';
import { readWithHoles } from '../../lib/tar/hole-reader.js';
import * as sys from '../../platform/linux/sys.js';
import { END_OF_ARCHIVE, type TarHeader } from '../../lib/tar/writer.js';

/**
 * COPY and ADD sources: found in a root directory (the build context, or a
 * mounted image for COPY --from) with Go's filepath.Match wildcards, each
 * resolved as a process chrooted in that root would (so a symlink in the
 * context pointing out of it leads back inside, never to the host), then
 * hashed for the cache and written as a tar named for the destination.
 */

export interface CopySource {
  /** The source as matched, relative to the root ("src/app.js"). */
  name: string;
  /** Host path, inside the root. */
  hostPath: string;
  stat: Stats;
}

const WILDCARD = /[*?[\\]/;

/** Finds the sources a COPY names; errors are the classic builder's. */
export async function findSources(root: string, patterns: readonly string[], instruction: string, hidden: readonly string[] = []): Promise<CopySource[]> {
  const found: CopySource[] = [];
  for (const pattern of patterns) {
    const clean = cleanSource(pattern, instruction);
    const names = WILDCARD.test(clean) ? (await matchWildcard(root, clean)).filter((name) => !hidden.includes(name)) : [clean];
    if (names.length === 0) throw invalid(`${instruction} failed: no source files were specified`);
    for (const name of names) found.push(await resolveSource(root, name, instruction, hidden));
  }
  return found;
}

/** A source path relative to the root; "../x" may not leave it (Docker: "forbidden path outside the build context"). */
function cleanSource(pattern: string, instruction: string): string {
  const cleaned = posix.normalize(`/${pattern}`).slice(1);
  const raw = posix.normalize(pattern);
  if (raw === '..' || raw.startsWith('../')) throw invalid(`${instruction} failed: forbidden path outside the build context: ${pattern} ()`);
  return cleaned === '' ? '.' : cleaned;
}

async function resolveSource(root: string, name: string, instruction: string, hidden: readonly string[]): Promise<CopySource> {
  try {
    if (hidden.includes(name)) throw Object.assign(new Error('hidden by .dockerignore'), { code: 'ENOENT' });
    const hostPath = await resolveInRoot(root, name, { followFinal: true });
    return { name, hostPath, stat: await lstat(hostPath) };
  } catch (err) {
    if (['ENOENT', 'ENOTDIR'].includes(errnoCode(err) ?? '') || err instanceof PathError) {
      throw invalid(`${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${name}: file does not exist`);
    }
    throw err;
  }
}

/** Matches a pattern component by component against the directories below root. */
async function matchWildcard(root: string, pattern: string): Promise<string[]> {
  let candidates = [''];
  for (const part of pattern.split('/')) {
    const next: string[] = [];
    for (const dir of candidates) {
      if (!WILDCARD.test(part)) {
        next.push(dir ? `${dir}/${part}` : part);
        continue;
      }
      const entries = await readdir(await resolveInRoot(root, dir || '.', { followFinal: true })).catch(() => [] as string[]);
      for (const entry of entries.sort()) if (goPathMatch(part, entry)) next.push(dir ? `${dir}/${entry}` : entry);
    }
    candidates = next;
  }
  const existing: string[] = [];
  for (const name of candidates) {
    if (await lstat(await resolveInRoot(root, name)).then(() => true, () => false)) existing.push(name);
  }
  return existing;
}

/** One file to write: where it comes from and its name relative to the destination ('' is the destination itself). */
export interface PlannedEntry {
  hostPath: string;
  name: string;
  stat: Stats;
}

/**
 * What a source becomes: a file is the destination itself; a directory's
 * contents go into the destination, less `hidden` files (root-relative names).
 */
export async function planEntries(source: CopySource, hidden: readonly string[] = []): Promise<PlannedEntry[]> {
  if (!source.stat.isDirectory()) return [{ hostPath: source.hostPath, name: '', stat: source.stat }];
  const out: PlannedEntry[] = [];
  const prefix = source.name === '.' ? '' : `${source.name}/`;
  await walk(source.hostPath, '', out, (name) => hidden.includes(prefix + name));
  return out;
}

async function walk(dir: string, name: string, out: PlannedEntry[], isHidden: (name: string) => boolean): Promise<void> {
  for (const entry of (await readdir(dir)).sort()) {
    const hostPath = join(dir, entry);
    const childName = name ? `${name}/${entry}` : entry;
    if (isHidden(childName)) continue;
    const st = await lstat(hostPath);
    if (st.isSocket()) continue;
    out.push({ hostPath, name: childName, stat: st });
    if (st.isDirectory()) await walk(hostPath, childName, out, isHidden);
  }
}

/**
 * The cache identity of what is copied: every entry's relative name, type,
 * permissions, size, link target and content, but not its owner (COPY sets
 * that) or times, as Docker's tarsum leaves out mtime.
 */
export async function hashEntries(entries: readonly PlannedEntry[]): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of entries) {
    hash.update(`${entry.name}\0${tarTypeOf(entry.stat)}\0${entry.stat.mode & 0o7777}\0${entry.stat.size}\0`);
    if (entry.stat.isSymbolicLink()) hash.update(await readlink(entry.hostPath));
    else if (entry.stat.isFile()) await hashContent(hash, entry.hostPath, entry.stat.size);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * A file's content into the hash, a chunk at a time; a chunk of zeros as its
 * length only, so that a sparse file's gigabytes of holes cost neither a
 * read nor a hash. Chunks are the reader's fixed windows, so the same content
 * hashes the same, holes or written zeros.
 */
async function hashContent(hash: Hash, path: string, size: number): Promise<void> {
  const file = await open(path, 'r');
  try {
    for await (const chunk of readWithHoles(file, 0, size, sys)) {
      if (isZero(chunk)) hash.update(`Z${chunk.length}\0`);
      else hash.update('D').update(chunk);
    }
  } finally {
    await file.close();
  }
}

export interface TarOptions {
  /** --chmod: replaces the permission bits of everything copied. */
  mode?: number;
}

/** A destination and what goes there. */
export interface CopyPlan {
  /** Root-relative archive name of the destination ("app/bin"). */
  dest: string;
  entries: PlannedEntry[];
}

/** A tar of the planned entries, owned by root (COPY --chown is applied as they are unpacked). */
export function entriesTar(plans: readonly CopyPlan[], options: TarOptions): Readable {
  return Readable.from(writeEntries(plans, options));
}

async function* writeEntries(plans: readonly CopyPlan[], options: TarOptions): AsyncGenerator<Buffer> {
  for (const plan of plans) {
    for (const entry of plan.entries) yield* writeEntry(entry, entry.name ? `${plan.dest}/${entry.name}` : plan.dest, options);
  }
  yield END_OF_ARCHIVE;
}

async function* writeEntry(entry: PlannedEntry, name: string, options: TarOptions): AsyncGenerator<Buffer> {
  const { stat: st } = entry;
  const perms = options.mode !== undefined && !st.isSymbolicLink() ? options.mode : st.mode & 0o7777;
  const header: TarHeader = {
    name,
    type: tarTypeOf(st),
    mode: perms,
    uid: 0,
    gid: 0,
    size: st.isFile() ? st.size : 0,
    mtime: Math.floor(st.mtimeMs / 1000),
  };
  if (st.isSymbolicLink()) header.linkname = await readlink(entry.hostPath);
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    header.devmajor = Math.floor(st.rdev / 256) & 0xfff;
    header.devminor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
  }
  yield* entryBytes(header, entry.hostPath, st, sys); // sparse files go as their data only
}
