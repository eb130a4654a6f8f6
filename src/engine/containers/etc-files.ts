import { lstatSync, mkdirSync, symlinkSync, writeFileSync, type Stats } from 'node:fs';
import { chmod, lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../lib/errors.js';
import type { Attachment } from '../network/types.js';
import type { Container } from './types.js';

/**
 * The /etc/hostname, /etc/hosts and /etc/resolv.conf each container gets
 * (bind-mounted from its directory). hosts and resolv.conf come from the
 * network area, which knows the container's addresses, links and DNS. They
 * are written anew at every start, so they are not fsynced.
 */
export async function writeEtcFiles(
  paths: { hostname: string; hosts: string; resolvConf: string },
  contents: { hostname: string; hosts: string; resolvConf: string },
): Promise<void> {
  const files: [string, string][] = [[paths.hostname, `${contents.hostname}\n`], [paths.hosts, contents.hosts], [paths.resolvConf, contents.resolvConf]];
  // The three at once: each is four thread-pool round trips (open, write, close, chmod) on every start's path.
  // dockerd's files are 0644; the placeholders of create are 0755 (below).
  await Promise.all(files.map(async ([path, content]) => {
    await writeFile(path, content);
    await chmod(path, 0o644);
  }));
}

/**
 * At start: the container's own files, or with --network container:<x> x's
 * (its files, hostname and domain name), as dockerd's initializeNetworking does.
 */
export async function setupEtcFiles(c: Container, network: Attachment, find: (id: string) => Container): Promise<void> {
  if (network.sharedWith) {
    const parent = find(network.sharedWith);
    c.config.Hostname = parent.config.Hostname;
    c.config.Domainname = parent.config.Domainname;
    Object.assign(c, { hostnamePath: parent.hostnamePath, hostsPath: parent.hostsPath, resolvConfPath: parent.resolvConfPath });
    return;
  }
  if (network.noSandbox) {
    // As dockerd without a sandbox: the hostname only; hosts and resolv.conf stay the empty files of create.
    await writeFile(c.hostnamePath, `${c.config.Hostname ?? ''}\n`);
    return chmod(c.hostnamePath, 0o644);
  }
  await writeEtcFiles(
    { hostname: c.hostnamePath, hosts: c.hostsPath, resolvConf: c.resolvConfPath },
    { hostname: c.config.Hostname ?? '', hosts: network.hostsContent, resolvConf: network.resolvConfContent },
  );
}

/**
 * A running container joined or left a network: new hosts and resolv.conf.
 * Written in place (same inode): they are bind-mounted into the container,
 * which would not see a renamed-over file.
 */
export async function rewriteNetworkFiles(c: Container, contents: { hosts: string; resolvConf: string }): Promise<void> {
  await writeFile(c.hostsPath, contents.hosts);
  await writeFile(c.resolvConfPath, contents.resolvConf);
}

/**
 * What dockerd's init layer gives a created container: empty /etc/hostname,
 * /etc/hosts and /etc/resolv.conf (mode 0755), so the archive API finds them
 * before the first start. berth makes them in the container's directory,
 * where each start writes them, and shows them to the archive API at their
 * places (etcArchiveMounts): nothing is written into the rw layer, so
 * commit, export and build layers never carry them.
 */
export async function createEtcPlaceholders(c: Container): Promise<void> {
  // Three empty files: created on this thread (no data, no thread-pool round trips).
  for (const path of [c.hostnamePath, c.hostsPath, c.resolvConfPath]) {
    try {
      writeFileSync(path, '', { flag: 'wx', mode: 0o755 });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
}

/** The etc files bound over the rootfs (archive API's view), as dockerd's NetworkMounts. */
export async function etcArchiveMounts(c: Container): Promise<{ destination: string; source: string; readonly: boolean }[]> {
  const paths: [string, string][] = [['/etc/hostname', c.hostnamePath], ['/etc/hosts', c.hostsPath], ['/etc/resolv.conf', c.resolvConfPath]];
  const present = await Promise.all(paths.map(([, source]) => lstat(source).then((s) => s.isFile(), () => false)));
  return paths.filter((_, i) => present[i]).map(([destination, source]) => ({ destination, source, readonly: !!c.hostConfig.ReadonlyRootfs }));
}

/**
 * What dockerd's init layer holds (initlayer.Setup): mount points and files
 * every container has, /.dockerenv (which scripts test to know they run in a
 * container) and /etc/mtab. berth makes them in the rw layer at start where
 * the image lacks them; export shows them, and diff, commit and build layers
 * leave them out as mount placeholders (filesystem.ts).
 */
const INIT_ENTRIES: [string, 'dir' | 'file' | { symlink: string }][] = [
  ['dev/pts', 'dir'], ['dev/shm', 'dir'], ['proc', 'dir'], ['sys', 'dir'],
  ['.dockerenv', 'file'], ['etc/resolv.conf', 'file'], ['etc/hosts', 'file'], ['etc/hostname', 'file'], ['dev/console', 'file'],
  ['etc/mtab', { symlink: '/proc/mounts' }],
];

/**
 * Makes the init layer's entries (all 0755, as dockerd) on this thread: a
 * few syscalls on the start path. An image's own entry, of whatever type, is
 * kept; an entry under an image's symlink or file is skipped, never made
 * through it. A read-only rootfs gets none.
 */
export function createInitEntries(rootfs: string): void {
  try {
    for (const [path, kind] of INIT_ENTRIES) createInitEntry(rootfs, path.split('/'), kind);
  } catch (err) {
    if (errnoCode(err) !== 'EROFS') throw err;
  }
}

function createInitEntry(rootfs: string, components: string[], kind: (typeof INIT_ENTRIES)[number][1]): void {
  let dir = rootfs;
  for (const name of components.slice(0, -1)) {
    dir = join(dir, name);
    const st = lstatOrNull(dir);
    if (st && !st.isDirectory()) return;
    if (!st) mkdirSync(dir, { mode: 0o755 });
  }
  const target = join(dir, components.at(-1)!);
  try {
    if (kind === 'dir') mkdirSync(target, { mode: 0o755 });
    else if (kind === 'file') writeFileSync(target, '', { flag: 'wx', mode: 0o755 });
    else symlinkSync(kind.symlink, target);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}
