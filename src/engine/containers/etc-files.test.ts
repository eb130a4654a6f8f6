import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createInitEntries } from './etc-files.js';

test('init entries: made where missing, 0755, an image\'s own entries kept, never made through an image\'s symlink', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-init-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rootfs = join(dir, 'rootfs');
  const outside = join(dir, 'outside');
  mkdirSync(join(rootfs, 'dev'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(rootfs, '.dockerenv'), 'the image\'s');
  symlinkSync(outside, join(rootfs, 'etc')); // an absolute link out of the rootfs, as a hostile image may ship
  createInitEntries(rootfs);
  assert.deepEqual(readdirSync(outside), [], 'nothing written through /etc');
  assert.equal(readFileSync(join(rootfs, '.dockerenv'), 'utf8'), 'the image\'s');
  for (const [path, type] of [['dev/console', 'file'], ['dev/pts', 'dir'], ['dev/shm', 'dir'], ['proc', 'dir'], ['sys', 'dir']] as const) {
    const st = lstatSync(join(rootfs, path));
    assert.equal(type === 'dir' ? st.isDirectory() : st.isFile(), true, path);
    assert.equal(st.mode & 0o7777, 0o755, path);
  }
  rmSync(join(rootfs, 'etc'));
  createInitEntries(rootfs);
  assert.equal(readlinkSync(join(rootfs, 'etc', 'mtab')), '/proc/mounts');
  assert.deepEqual(readdirSync(join(rootfs, 'etc')).sort(), ['hostname', 'hosts', 'mtab', 'resolv.conf']);
  createInitEntries(rootfs); // a second start finds them all
});
