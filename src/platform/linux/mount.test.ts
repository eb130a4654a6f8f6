import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindMount, isMountPoint, mountOverlay, overlayMountData, unmount } from './mount.js';
import { filesystemName } from './sys.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-mount-'));
const mounted: string[] = [];
after(() => {
  for (const target of mounted.reverse()) unmount(target);
  rmSync(dir, { recursive: true, force: true });
});

function mkdirs(...names: string[]): string[] {
  return names.map((name) => {
    mkdirSync(join(dir, name), { recursive: true });
    return join(dir, name);
  });
}

test('overlay with relative lowerdirs resolved from cwd, and process cwd untouched', () => {
  const [a, b, upper, work, merged] = mkdirs('a', 'b', 'upper', 'work', 'merged');
  writeFileSync(join(a!, 'f'), 'from a');
  writeFileSync(join(b!, 'f'), 'from b');
  writeFileSync(join(b!, 'g'), 'from b');
  mkdirSync(join(dir, 'l'));
  symlinkSync('../a', join(dir, 'l', 'A'));
  symlinkSync('../b', join(dir, 'l', 'B'));
  const cwdBefore = process.cwd();
  mountOverlay(merged!, { lower: ['l/A', 'l/B'], upper, work }, dir);
  mounted.push(merged!);
  assert.equal(process.cwd(), cwdBefore);
  assert.ok(isMountPoint(merged!));
  assert.equal(filesystemName(merged!), 'overlayfs');
  assert.equal(readFileSync(join(merged!, 'f'), 'utf8'), 'from a');
  assert.equal(readFileSync(join(merged!, 'g'), 'utf8'), 'from b');
  writeFileSync(join(merged!, 'h'), 'new');
  assert.equal(readFileSync(join(upper!, 'h'), 'utf8'), 'new');
  assert.equal(unmount(merged!), true);
  mounted.pop();
  assert.equal(isMountPoint(merged!), false);
  assert.equal(unmount(merged!), false);
});

test('overlay mount data refuses separators and oversize options', () => {
  assert.throws(() => overlayMountData({ lower: ['a,b'] }), /contains/);
  assert.throws(() => overlayMountData({ lower: ['a'], upper: 'u' }), /go together/);
  assert.throws(() => overlayMountData({ lower: Array.from({ length: 500 }, (_, i) => `l/${'X'.repeat(26)}${i}`) }), /limit/);
});

test('read-only bind mount', () => {
  const [src, target] = mkdirs('src', 'target');
  writeFileSync(join(src!, 'f'), 'x');
  bindMount(src!, target!, { readonly: true });
  mounted.push(target!);
  assert.equal(readFileSync(join(target!, 'f'), 'utf8'), 'x');
  assert.throws(() => writeFileSync(join(target!, 'g'), 'y'), { code: 'EROFS' });
  unmount(target!);
  mounted.pop();
});
