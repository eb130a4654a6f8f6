import { fetchAnyPort } from '../../lib/fetch-any-port.js';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { decompress, peek } from '../../lib/compression.js';
import { EngineError, errnoCode, invalid, isEngineError, type ErrorKind } from '../../lib/errors.js';
import { PathError, resolveInRoot, walkNoSymlinks } from '../../lib/safe-path.js';
import { clearForEntry, createEntry, entryComponents, refuseEntry, restoreDirTimes, type DirTimes } from '../../lib/tar/extract.js';
import { readTar } from '../../lib/tar/read.js';
import { TarTerminator } from '../../lib/tar/terminate.js';
import type { TarSyscalls } from '../../lib/tar/syscalls.js';
import { isGitUrl, isUrl } from '../../lib/urlutil.js';
import { gitContext } from './git-context.js';

/**
 * The build context on the daemon's side: the client's tar unpacked into a
 * private directory, from which COPY and ADD read. Unpacking never writes
 * through a symlink and no entry can climb out of the directory; reading the
 * Dockerfile and .dockerignore resolves symlinks inside the context only.
 */

/** A remote context is a tarball or a lone Dockerfile; more than this is refused. */
const MAX_REMOTE_DOCKERFILE = 10 * 1024 * 1024;

export async function unpackContext(input: Readable, dir: string, sys: Pick<TarSyscalls, 'mknod' | 'lsetxattr'>): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { stream } = await decompress(input);
  const terminator = new TarTerminator();
  stream.once('error', (err) => terminator.destroy(err));
  const reader = await readTar(stream.pipe(terminator), { digest: false });
  const dirTimes: DirTimes[] = [];
  try {
    for await (const entry of reader.entries()) {
      const components = entryComponents(entry.header.name);
      if (components.length === 0) {
        for await (const _ of entry.body) void _;
        continue;
      }
      const parent = await walkNoSymlinks(dir, components.slice(0, -1), true);
      const target = join(parent!, components[components.length - 1]!);
      await clearForEntry(target, entry.header.type === 'directory');
      const created = await createEntry(entry, target, {
        sys,
        keepXattr: () => false, // a context's xattrs are not copied by COPY either
        hardlinkSource: async (linked) => {
          const linkParent = await walkNoSymlinks(dir, linked.slice(0, -1), false);
          if (linkParent === null) return null;
          const source = join(linkParent, linked[linked.length - 1]!);
          return (await lstat(source).catch(() => null)) ? source : null;
        },
      });
      if (created.dirTimes) dirTimes.push(created.dirTimes);
    }
  } catch (err) {
    const error = err instanceof PathError ? refuseEntry('context', err.message) : err instanceof Error ? err : new Error(String(err));
    reader.abort(error);
    if (isEngineError(error)) throw error;
    throw invalid(`failed to read the build context: ${error.message}`, error);
  }
  await restoreDirTimes(dirTimes);
}

/**
 * Fetches a remote context (the API's `remote`), as dockerd's
 * remotecontext.Detect tells them apart: a git repository (git-context.ts),
 * or an http(s) URL of a tarball, compressed or not, or of a Dockerfile on
 * its own, which becomes a context holding only that Dockerfile.
 */
export async function fetchRemoteContext(url: string, dockerfileName: string, workDir: string, signal: AbortSignal): Promise<Readable> {
  if (isGitUrl(url)) return gitContext(url, workDir, signal);
  if (!isUrl(url)) throw new EngineError('internal', `remoteURL (${url}) could not be recognized as URL`);
  const response = await download(url, signal);
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  const { head, stream } = await peek(body, 512);
  if (looksLikeArchive(head)) return stream;
  const dockerfile = await readAll(stream, MAX_REMOTE_DOCKERFILE);
  return Readable.from(await singleFileTar(dockerfileName, dockerfile));
}

/** dockerd's GetWithStatusError under "error downloading remote context URL": Go's texts, the answer's status as the error's kind. */
async function download(url: string, signal: AbortSignal): Promise<Response & { body: NonNullable<Response['body']> }> {
  const fail = (kind: ErrorKind, why: string) => new EngineError(kind, `error downloading remote context ${url}: ${why}`);
  let response: Response;
  try {
    response = await fetchAnyPort(url, { signal });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string; address?: string; port?: number; hostname?: string } }).cause;
    if (cause?.code === 'ENOTFOUND') throw fail('notFound', `Get "${url}": dial tcp: lookup ${cause.hostname}: no such host`);
    const refused = cause?.code === 'ECONNREFUSED' ? `dial tcp ${cause.address}:${cause.port}: connect: connection refused` : cause?.message;
    throw fail('internal', `Get "${url}": ${refused ?? (err as Error).message}`);
  }
  if (response.status >= 400 || !response.body) {
    const body = (await response.text().catch(() => '')).trim();
    const kinds: Record<number, ErrorKind> = { 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'notFound' };
    throw fail(kinds[response.status] ?? 'internal', `failed to GET ${url} with status ${response.status} ${response.statusText}: ${body}`);
  }
  return response as Response & { body: NonNullable<Response['body']> };
}

function looksLikeArchive(head: Buffer): boolean {
  const compressed = head[0] === 0x1f && head[1] === 0x8b; // gzip
  const bzip = head.subarray(0, 3).toString('latin1') === 'BZh';
  const xz = head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  const ustar = head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  return compressed || bzip || xz || ustar;
}

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw invalid(`unable to prepare context: the remote Dockerfile is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function singleFileTar(name: string, content: Buffer): Promise<Buffer> {
  const { default: tar } = await import('tar-stream');
  const pack = tar.pack();
  pack.entry({ name, size: content.length, mode: 0o644, mtime: new Date() }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads a file of the context by its context-relative name, following
 * symlinks only inside the context; null when it does not exist.
 */
export async function readContextFile(dir: string, name: string): Promise<Buffer | null> {
  try {
    const path = await resolveInRoot(dir, name, { followFinal: true });
    const st = await lstat(path);
    if (!st.isFile()) return null;
    return await readFile(path);
  } catch (err) {
    if (['ENOENT', 'ENOTDIR'].includes(errnoCode(err) ?? '') || err instanceof PathError) return null;
    throw err;
  }
}
