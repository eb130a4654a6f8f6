/**
 * `berth cp`: container → host through `GET /containers/{id}/archive`, host →
 * container through `PUT` (after a `HEAD` to learn whether the destination is
 * a directory), `-` for a tar on stdin or stdout, with docker's naming rules.
 */
import { lstat, stat } from 'node:fs/promises';
import { basename, dirname, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BerthClient } from '../../../client/index.js';
import { StatusError, type CommandContext, type CommandSpec } from '../../command.js';
import type { FlagValues } from '../../flags.js';
import { goPathError } from '../../opts/files.js';
import { extractTar, packPath } from './cp-local.js';

export interface Location {
  container?: string;
  path: string;
}

/** docker's splitCpArg: `name:path` is a container path unless it looks like a local path. */
export function splitCpArg(arg: string): Location {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon <= 0) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
/** Go's os.FileMode bits, as the archive API's path stat reports them. */
const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const isDirMode = (mode: number) => mode >= GO_MODE_DIR || (mode & 0o170000) === S_IFDIR;
const isLinkMode = (mode: number) => (mode % GO_MODE_DIR) >= GO_MODE_SYMLINK && (mode % (GO_MODE_SYMLINK * 2)) >= GO_MODE_SYMLINK || (mode & 0o170000) === S_IFLNK;

async function resolveSource(client: BerthClient, container: string, path: string, follow: boolean): Promise<string> {
  if (!follow) return path;
  const info = await client.statContainerPath(container, path);
  if (!isLinkMode(info.mode)) return path;
  return posix.isAbsolute(info.linkTarget) ? info.linkTarget : posix.join(posix.dirname(path), info.linkTarget);
}

export async function copyFromContainer(ctx: CommandContext, client: BerthClient, src: Required<Location>, dest: string, flags: FlagValues): Promise<void> {
  const path = await resolveSource(client, src.container, src.path, flags['follow-link'] as boolean);
  const { stat: info, tar } = await client.getArchive(src.container, path);
  if (dest === '-') {
    await pipeline(tar, ctx.stdout, { end: false });
    return;
  }
  const existing = await stat(dest).catch(() => undefined);
  if (existing?.isDirectory()) return extractTar(tar, dest);
  if (existing && isDirMode(info.mode)) throw new Error(`cannot copy directory to file: ${dest}`);
  const parent = dirname(dest);
  if (!(await stat(parent).catch(() => undefined))?.isDirectory()) throw goPathError('lstat', parent, { code: 'ENOENT' });
  await extractTar(tar, parent, { rename: { from: info.name, to: basename(dest) } });
}

export async function copyToContainer(ctx: CommandContext, client: BerthClient, src: string, dest: Required<Location>, flags: FlagValues): Promise<void> {
  const options = { copyUIDGID: flags.archive as boolean, noOverwriteDirNonDir: true };
  if (src === '-') return client.putArchive(dest.container, dest.path, ctx.stdin, options);
  const local = await (flags['follow-link'] ? stat(src) : lstat(src)).catch((err: unknown) => {
    throw goPathError('lstat', src, err);
  });
  let target = dest.path;
  let rootName = basename(src);
  try {
    const remote = await client.statContainerPath(dest.container, dest.path);
    if (!isDirMode(remote.mode)) {
      if (local.isDirectory()) throw new Error(`cannot copy directory to file: ${dest.container}:${dest.path}`);
      [target, rootName] = [posix.dirname(dest.path), posix.basename(dest.path)];
    }
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    // A new name: upload into the parent under that name.
    [target, rootName] = [posix.dirname(dest.path), posix.basename(dest.path)];
  }
  await client.putArchive(dest.container, target, packPath(src, rootName, flags['follow-link'] as boolean), options);
}

export const cpCommand: CommandSpec = {
  path: 'container cp',
  aliases: ['container cp', 'cp'],
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  short: 'Copy files/folders between a container and the local filesystem',
  args: { kind: 'exact', count: 2 },
  flags: [
    { long: 'archive', short: 'a', type: 'bool', usage: 'Archive mode (copy all uid/gid information)' },
    { long: 'follow-link', short: 'L', type: 'bool', usage: 'Always follow symbol link in SRC_PATH' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' },
  ],
  async run(ctx, { flags, args }) {
    const [src, dest] = args.map(splitCpArg);
    if (src.container && dest.container) throw new StatusError('copying between containers is not supported', 1);
    if (!src.container && !dest.container) throw new StatusError('must specify at least one container source', 1);
    if ((src.container && !src.path) || (dest.container && !dest.path)) throw new StatusError('filesystem path cannot be empty', 1);
    const client = await ctx.client();
    if (src.container) await copyFromContainer(ctx, client, src as Required<Location>, dest.path, flags);
    else await copyToContainer(ctx, client, src.path, dest as Required<Location>, flags);
    return 0;
  },
};
