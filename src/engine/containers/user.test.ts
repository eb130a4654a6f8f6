import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUser } from './user.js';

/** A root with busybox's passwd and group files (root is in wheel). */
async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-user-'));
  try {
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
    await writeFile(join(root, 'etc/group'), 'root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnogroup:x:65534:\n');
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe('resolveUser', () => {
  it('gives dockerd 20.10\'s supplementary groups: the primary group, the groups naming the user, then --group-add', () =>
    withRoot(async (root) => {
      assert.deepEqual((await resolveUser(root, '')).user, { uid: 0, gid: 0, additionalGids: [0, 10] });
      assert.deepEqual((await resolveUser(root, '', ['123', 'daemon', 'wheel', '1'])).user.additionalGids, [0, 10, 123, 1, 10]);
      assert.deepEqual((await resolveUser(root, 'nobody', ['wheel'])).user, { uid: 65534, gid: 65534, additionalGids: [65534, 10] });
      // An explicit group: no membership lookup, as runc's GetExecUser.
      assert.deepEqual((await resolveUser(root, '0:1', ['123'])).user, { uid: 0, gid: 1, additionalGids: [1, 123] });
      assert.deepEqual((await resolveUser(root, '1000:1000', ['123'])).user, { uid: 1000, gid: 1000, additionalGids: [1000, 123] });
    }));

  it('refuses unknown groups with runc\'s words', () =>
    withRoot(async (root) => {
      await assert.rejects(resolveUser(root, '', ['nosuch']), { message: 'Unable to find group nosuch: no matching entries in group file' });
      await assert.rejects(resolveUser(root, '', ['-1']), { message: 'uids and gids must be in range 0-2147483647' });
    }));
});
