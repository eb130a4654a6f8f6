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

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function parseGroup(text: string | null): GroupEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) return [];
    return [{ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }];
  });
}

const MAX_ID = 2147483647;

/**
 * --group-add entries as runc's GetAdditionalGroups resolves them: a group
 * name (or a number) found in the image's /etc/group, else a plain number
 * in range; duplicates collapse.
 */
function additionalGroups(wanted: readonly string[], groups: GroupEntry[]): number[] {
  const out: number[] = [];
  for (const name of wanted) {
    const entry = groups.find((g) => g.name === name || String(g.gid) === name);
    let gid = entry?.gid;
    if (gid === undefined) {
      if (!/^-?\d+$/.test(name)) throw invalid(`Unable to find group ${name}: no matching entries in group file`);
      gid = Number(name);
      if (gid < 0 || gid > MAX_ID) throw invalid(`uids and gids must be in range 0-${MAX_ID}`);
    }
    if (!out.includes(gid)) out.push(gid);
  }
  return out;
}

/**
 * Resolves `-u user[:group]` against the image's /etc/passwd and /etc/group,
 * as runc's libcontainer/user does for Docker: names or numbers; a numeric
 * uid not in passwd is allowed; an unknown name is an error. Also gives HOME.
 * The supplementary groups are dockerd's (20.10.18+, CVE-2022-36109): the
 * primary group, the groups listing the user (only without an explicit
 * group), then --group-add.
 */
export async function resolveUser(rootfs: string, spec: string, groupAdd: readonly string[] = []): Promise<{ user: RuntimeUser; home: string }> {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = parsePasswd(await readInRoot(rootfs, '/etc/passwd'));
  const groups = parseGroup(await readInRoot(rootfs, '/etc/group'));
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name = 'root';
  if (userPart !== '') {
    const number = goAtoi(userPart);
    const entry = passwd.find((p) => p.name === userPart || p.uid === number);
    if (entry) {
      ({ uid, gid, home, name } = entry);
    } else if (number !== undefined) {
      uid = idInRange(number);
      name = userPart;
    } else {
      throw invalid(`unable to find user ${userPart}: no matching entries in passwd file`);
    }
  } else {
    const root = passwd.find((p) => p.uid === 0);
    if (root) home = root.home;
  }
  const explicitGroup = groupPart !== undefined && groupPart !== '';
  if (explicitGroup) {
    const number = goAtoi(groupPart);
    const group = groups.find((g) => g.name === groupPart || g.gid === number);
    if (group) gid = group.gid;
    else if (number !== undefined) gid = idInRange(number);
    else throw invalid(`unable to find group ${groupPart}: no matching entries in group file`);
  }
  const memberOf = explicitGroup ? [] : groups.filter((g) => g.members.includes(name)).map((g) => g.gid);
  const additionalGids = [gid, ...memberOf, ...additionalGroups(groupAdd, groups)];
  return { user: { uid, gid, additionalGids }, home };
}

/** Go's strconv.Atoi, as libcontainer reads a numeric user or group: an optional sign, digits, within int64. */
function goAtoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= -(2n ** 63n) && value < 2n ** 63n ? Number(value) : undefined;
}

/** libcontainer's range for ids not in passwd/group (a negative or 2^31+ uid would reach runc otherwise). */
function idInRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw invalid(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}
