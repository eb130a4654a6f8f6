import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PathError, resolveInRoot, splitInRoot, walkNoSymlinks } from './safe-path.js';
import { tempDir } from './tar/testing.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let root: string;
before(async () => {
  tmp = await tempDir('berth-safe-path-');
  root = join(tmp.path, 'root');
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  symlinkSync('/etc', join(root, 'abs'));
  symlinkSync('../../../../..', join(root, 'up'));
  symlinkSync('usr/lib', join(root, 'lib'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
});
after(async () => tmp.cleanup());

test('splitInRoot cleans names and refuses escapes', () => {
  assert.deepEqual(splitInRoot('/a/./b//c/'), ['a', 'b', 'c']);
  assert.deepEqual(splitInRoot('a/b/../c'), ['a', 'c']);
  assert.deepEqual(splitInRoot('./'), []);
  assert.throws(() => splitInRoot('../x'), (err: PathError) => err.reason === 'escapes');
  assert.throws(() => splitInRoot('a/../../x'), (err: PathError) => err.reason === 'escapes');
  assert.throws(() => splitInRoot('a'.repeat(256)), (err: PathError) => err.reason === 'tooLong');
});

test('resolveInRoot follows symlinks but never leaves the root', async () => {
  assert.equal(await resolveInRoot(root, 'abs/passwd'), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'up/etc/shadow'), join(root, 'etc/shadow'));
  assert.equal(await resolveInRoot(root, '../../x'), join(root, 'x'));
  assert.equal(await resolveInRoot(root, 'lib/x.so'), join(root, 'usr/lib/x.so'));
  assert.equal(await resolveInRoot(root, 'lib'), join(root, 'lib'), 'the last component is not followed by default');
  assert.equal(await resolveInRoot(root, 'lib', { followFinal: true }), join(root, 'usr/lib'));
  assert.equal(await resolveInRoot(root, 'up', { followFinal: true }), root);
  await assert.rejects(() => resolveInRoot(root, 'loop1/x'), (err: PathError) => err.reason === 'loop');
});

test('walkNoSymlinks refuses any symlink on the way', async () => {
  assert.equal(await walkNoSymlinks(root, ['usr', 'lib'], false), join(root, 'usr/lib'));
  assert.equal(await walkNoSymlinks(root, ['new', 'dir'], false), null);
  assert.equal(await walkNoSymlinks(root, ['new', 'dir'], true), join(root, 'new/dir'));
  await assert.rejects(() => walkNoSymlinks(root, ['lib', 'x'], true), (err: PathError) => err.reason === 'symlink');
  await assert.rejects(() => walkNoSymlinks(root, ['abs'], true), /path goes through symlink "abs"/);
});
