import { readFile } from 'node:fs/promises';
import { invalid, errnoCode } from '../../lib/errors.js';
import { resolveInRoot } from '../../lib/safe-path.js';
import type { RuntimeUser } from '../runtime/types.js';

/** Reads a file of the container's filesystem, resolving symlinks as if chrooted there. */
async function readInRoot(rootfs: string, path: string): Promise<string | null> {
  try {
    return await readFile(await resolveInRoot(rootfs, path), 'utf8');
  } catch (err) {
    if (['ENOENT', 'ENOTDIR'].includes(errnoCode(err) ?? '')) return null;
    throw err;
  }
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function parsePasswd(text: string | null): PasswdEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#')) return [];
    return [{ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }];
  });
}

function parseGroup(text: string | null): { name: string; gid: number; members: string[] }[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) return [];
    return [{ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }];
  });
}

/**
 * Resolves `-u user[:group]` against the image's /etc/passwd and /etc/group,
 * as runc's libcontainer/user does for Docker: names or numbers; a numeric
 * uid not in passwd is allowed; an unknown name is an error. Also gives HOME.
 */
export async function resolveUser(rootfs: string, spec: string): Promise<{ user: RuntimeUser; home: string }> {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = parsePasswd(await readInRoot(rootfs, '/etc/passwd'));
  const groups = parseGroup(await readInRoot(rootfs, '/etc/group'));
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name = 'root';
  if (userPart !== '') {
    const entry = /^\d+$/.test(userPart) ? passwd.find((p) => p.uid === Number(userPart)) : passwd.find((p) => p.name === userPart);
    if (entry) {
      ({ uid, gid, home, name } = entry);
    } else if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      name = userPart;
    } else {
      throw invalid(`unable to find user ${userPart}: no matching entries in passwd file`);
    }
  } else {
    const root = passwd.find((p) => p.uid === 0);
    if (root) home = root.home;
  }
  if (groupPart !== undefined && groupPart !== '') {
    const group = /^\d+$/.test(groupPart) ? { gid: Number(groupPart) } : groups.find((g) => g.name === groupPart);
    if (!group) throw invalid(`unable to find group ${groupPart}: no matching entries in group file`);
    gid = group.gid;
  }
  const additionalGids = groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid);
  return { user: { uid, gid, additionalGids }, home };
}
