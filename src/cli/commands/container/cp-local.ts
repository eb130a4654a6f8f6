/**
 * The local side of `berth cp`: extracting a container's tar into a host
 * directory without ever writing outside it (no `..`, no absolute names, no
 * writing through a symlink the archive or the host placed on the way, hard
 * links only to files inside), and packing host files into a tar to upload.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, readdir, readlink, stat, symlink, unlink, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type TarStream from 'tar-stream';

/**
 * tar-stream (through streamx) uses CommonJS `require` of Node built-ins,
 * which an ESM bundle cannot satisfy; loading it at run time from
 * node_modules keeps it out of the bundle and costs nothing until `cp` runs.
 */
const loadCommonJs = createRequire(import.meta.url);
const tar = (): typeof TarStream => loadCommonJs('tar-stream') as typeof TarStream;

/** Joins an archive name under root, refusing names that would leave it. */
export function safeJoin(root: string, name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new Error(`refusing to extract "${name}": it leaves the destination`);
  return join(root, ...parts);
}

/** Fails if any directory between root and target is a symlink (a write would follow it out). */
async function assertNoSymlinkParents(root: string, target: string): Promise<void> {
  const parts = relative(root, dirname(target)).split(sep).filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (info?.isSymbolicLink()) throw new Error(`refusing to extract through the symbolic link ${current}`);
  }
}

/** Removes whatever sits at target unless it is a directory we may write into. */
async function clearFinal(target: string, keepDirectory: boolean): Promise<void> {
  const info = await lstat(target).catch(() => undefined);
  if (!info) return;
  if (keepDirectory && info.isDirectory()) return;
  if (info.isDirectory()) throw new Error(`cannot overwrite directory ${target} with non-directory`);
  await unlink(target);
}

export interface ExtractOptions {
  /** Rename the archive's first path component (copying to a new name). */
  rename?: { from: string; to: string };
}

function renamed(name: string, rename: ExtractOptions['rename']): string {
  if (!rename) return name;
  const clean = name.replace(/^\.?\//, '');
  if (clean === rename.from || clean === `${rename.from}/`) return rename.to;
  if (clean.startsWith(`${rename.from}/`)) return rename.to + clean.slice(rename.from.length);
  return clean;
}

export async function extractTar(source: Readable, root: string, options: ExtractOptions = {}): Promise<void> {
  const extract = tar().extract();
  const done = pipeline(source, extract as unknown as Writable);
  for await (const entry of extract) {
    const header = entry.header;
    const target = safeJoin(root, renamed(header.name, options.rename));
    await assertNoSymlinkParents(root, target);
    await writeEntry(entry as unknown as Readable, header, target, root);
  }
  await done;
}

async function writeEntry(entry: Readable, header: TarStream.Header, target: string, root: string): Promise<void> {
  const mode = (header.mode ?? 0o644) & 0o7777;
  switch (header.type) {
    case 'directory':
      await clearFinal(target, true);
      await mkdir(target, { recursive: true, mode });
      entry.resume();
      break;
    case 'file':
    case 'contiguous-file':
      await clearFinal(target, false);
      await pipeline(entry, createWriteStream(target, { mode, flags: 'wx' }));
      break;
    case 'symlink':
      await clearFinal(target, false);
      await symlink(header.linkname ?? '', target);
      entry.resume();
      return;
    case 'link': {
      const existing = safeJoin(root, header.linkname ?? '');
      await assertNoSymlinkParents(root, existing);
      if (!(await lstat(existing)).isFile()) throw new Error(`refusing hard link to ${header.linkname}: not a regular file in the archive`);
      await clearFinal(target, false);
      await link(existing, target);
      entry.resume();
      return;
    }
    default:
      // Devices, fifos: docker cp as non-privileged work would fail; skip quietly like an unprivileged tar.
      entry.resume();
      return;
  }
  if (header.mtime) await utimes(target, header.mtime, header.mtime).catch(() => {});
}

/** Packs a host path into a tar whose top entry is named `rootName`. */
export function packPath(path: string, rootName: string, followLink: boolean): Readable {
  const pack = tar().pack();
  const add = async (hostPath: string, name: string, follow: boolean): Promise<void> => {
    const info = follow ? await stat(hostPath) : await lstat(hostPath);
    const base = { name, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, mtime: info.mtime };
    if (info.isSymbolicLink()) {
      pack.entry({ ...base, type: 'symlink', linkname: await readlink(hostPath) });
    } else if (info.isDirectory()) {
      pack.entry({ ...base, type: 'directory' });
      for (const child of (await readdir(hostPath)).sort()) await add(join(hostPath, child), `${name}/${child}`, false);
    } else if (info.isFile()) {
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ ...base, type: 'file', size: info.size }, (err) => (err ? reject(err) : resolve()));
        pipeline(createReadStream(hostPath), sink as unknown as Writable).catch(reject);
      });
    }
  };
  add(path, rootName, followLink).then(() => pack.finalize(), (err: Error) => pack.destroy(err));
  return pack as unknown as Readable;
}
