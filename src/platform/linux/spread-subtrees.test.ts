import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spreadSubtrees } from './spread-subtrees.js';
import { addInodeFlags, filesystemName, FS_TOPDIR_FL } from './sys.js';

test('a directory on ext4 gets the top-directory flag; elsewhere the call says no and changes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-topdir-'));
  try {
    const ext4 = filesystemName(dir) === 'extfs';
    assert.equal(spreadSubtrees(dir), ext4);
    if (ext4) assert.notEqual(addInodeFlags(dir, 0) & FS_TOPDIR_FL, 0, 'the flag reads back');
    assert.equal(spreadSubtrees(dir), ext4, 'a second call is harmless');
    assert.equal(spreadSubtrees('/dev/shm'), false, 'tmpfs has no inode flags');
    assert.equal(spreadSubtrees(join(dir, 'missing')), false);
    await symlink(dir, join(dir, 'link'));
    assert.equal(spreadSubtrees(join(dir, 'link')), false, 'a symlink is not followed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
