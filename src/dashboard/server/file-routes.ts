/**
 * The Files tab: a container's filesystem through the archive API. The
 * Engine API has no directory listing, so a directory is listed by reading
 * its archive (GET /archive) and keeping the direct children's tar headers,
 * skipping their contents; HEAD /archive tells a file from a directory.
 * Downloads are the archive itself (a directory, as tar) or the one file
 * taken out of it.
 */
import type { ServerResponse } from 'node:http';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { BerthClient } from '../../client/index.js';
import { invalid } from '../../lib/errors.js';
import type { DirectoryListing, FileEntry } from '../shared/extra-types.js';
import { checkContainerPath, directChild, downloadName, tarName, typeOfMode, typeOfTarEntry } from './container-paths.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { sendJson, type Router } from './http.js';

const BASE = '/api/hosts/:host/containers/:id/files';
/** A directory with more direct children than this is shown cut short. */
export const MAX_ENTRIES = 5000;

export function fileRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  r.on('GET', BASE, async ({ req, res, params, url }) => {
    guard.require(req, 'viewer');
    let path = checkContainerPath(url.searchParams.get('path'));
    const client = hosts.get(params.host!).streamClient();
    try {
      let stat = await client.statContainerPath(params.id!, path);
      // A link to a directory (/bin on many images): list its target, one hop.
      if (typeOfMode(stat.mode) === 'link' && stat.linkTarget) {
        path = checkContainerPath(posix.resolve(posix.dirname(path), stat.linkTarget));
        stat = await client.statContainerPath(params.id!, path);
      }
      if (typeOfMode(stat.mode) !== 'dir') throw invalid(`${path} is not a directory`);
      const { tar: archive } = await client.getArchive(params.id!, path);
      sendJson(res, 200, await listDirectory(archive, path));
    } finally {
      client.close();
    }
  });
  r.on('GET', `${BASE}/download`, async ({ req, res, params, url }) => {
    guard.require(req, 'viewer');
    const path = checkContainerPath(url.searchParams.get('path'));
    const client = hosts.get(params.host!).streamClient();
    try {
      await download(client, params.id!, path, res);
    } finally {
      client.close();
    }
  });
}

/** The direct children of the archived directory, from its tar headers; contents are skipped. */
export async function listDirectory(archive: Readable, path: string): Promise<DirectoryListing> {
  const extract = tar.extract();
  const entries: FileEntry[] = [];
  let base: string | undefined;
  let truncated = false;
  extract.on('entry', (header, stream, next) => {
    // The first entry is the directory itself: its name is the prefix of all the others.
    if (base === undefined) base = tarName(header.name);
    else {
      const name = directChild(header.name, base);
      if (name !== undefined && entries.length < MAX_ENTRIES) entries.push(entryOf(name, header));
      else if (name !== undefined) truncated = true;
    }
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(archive, extract);
  entries.sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
  return { path, entries, truncated };
}

function entryOf(name: string, h: tar.Header): FileEntry {
  const entry: FileEntry = { name, type: typeOfTarEntry(h.type), size: h.size ?? 0, mode: (h.mode ?? 0) & 0o7777, mtime: h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0 };
  if (h.linkname) entry.linkTarget = h.linkname;
  return entry;
}

/** A directory as its tar; a file as its own bytes (the first regular file of its one-entry archive). */
async function download(client: BerthClient, id: string, path: string, res: ServerResponse): Promise<void> {
  const stat = await client.statContainerPath(id, path);
  const isFile = typeOfMode(stat.mode) === 'file';
  if (!isFile && typeOfMode(stat.mode) !== 'dir') throw invalid(`${path} is neither a file nor a directory`);
  const { tar: archive } = await client.getArchive(id, path);
  const headers = (type: string, length?: number) => ({
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Content-Disposition': `attachment; filename="${downloadName(path, !isFile)}"`,
    ...(length !== undefined ? { 'Content-Length': String(length) } : {}),
  });
  res.once('close', () => archive.destroy());
  if (!isFile) {
    res.writeHead(200, headers('application/x-tar'));
    await pipeline(archive, res).catch(() => undefined);
    return;
  }
  const extract = tar.extract();
  let sent = false;
  extract.on('entry', (header, stream, next) => {
    if (!sent && typeOfTarEntry(header.type) === 'file') {
      sent = true;
      res.writeHead(200, headers('application/octet-stream', header.size));
      (stream as unknown as Readable).pipe(res, { end: false });
    } else stream.resume();
    stream.on('end', next);
  });
  await pipeline(archive, extract);
  if (!sent) throw invalid(`${path} is not a regular file`);
  res.end();
}
