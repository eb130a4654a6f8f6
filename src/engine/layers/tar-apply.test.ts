import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256 } from '../../lib/digest.js';
import { isEngineError } from '../../lib/errors.js';
import { lgetxattr } from '../../platform/linux/sys.js';
import { applyTar, type ApplyOptions } from './tar-apply.js';
import { makeTar, streamOf, tempDir, type FixtureEntry } from './testing.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let counter = 0;
before(async () => (tmp = await tempDir('berth-tar-apply-')));
after(async () => tmp.cleanup());

async function freshDir(): Promise<string> {
  const dir = join(tmp.path, `d${counter++}`);
  await mkdir(dir);
  return dir;
}

async function extract(entries: FixtureEntry[], options: ApplyOptions = { whiteouts: 'overlay' }, dest?: string) {
  const dir = dest ?? (await freshDir());
  const result = await applyTar(streamOf(await makeTar(entries)), dir, options);
  return { dir, ...result };
}

test('extracts files, dirs, links, devices and metadata', async () => {
  const mtime = new Date(1_600_000_000_000);
  const { dir, size } = await extract([
    { name: 'bin/', mtime, uid: 0, gid: 0 },
    { name: 'bin/su', content: 'su!', mode: 0o4755, uid: 0, gid: 0 },
    { name: 'bin/ping', content: 'ping', pax: { 'SCHILY.xattr.user.comment': 'hello' } },
    { name: 'home/user/', uid: 1000, gid: 1000, mode: 0o750, mtime },
    { name: 'tmp/', mode: 0o1777 },
    { name: 'home/user/file', content: 'x', uid: 1000, gid: 1001, mtime },
    { name: 'home/user/hard', type: 'link', linkname: 'home/user/file' },
    { name: 'lib', type: 'symlink', linkname: 'usr/lib', uid: 5, gid: 6 },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
    { name: 'run/fifo', type: 'fifo', mode: 0o600 },
    { name: `${'long/'.repeat(30)}name-over-100-bytes`, content: 'deep' },
  ]);
  assert.equal(size, 3 + 4 + 1 + 4);
  assert.equal(lstatSync(join(dir, 'bin/su')).mode & 0o7777, 0o4755);
  assert.equal(lstatSync(join(dir, 'tmp')).mode & 0o7777, 0o1777);
  assert.equal(lgetxattr(join(dir, 'bin/ping'), 'user.comment')?.toString(), 'hello');
  const home = lstatSync(join(dir, 'home/user'));
  assert.deepEqual([home.uid, home.gid, home.mode & 0o777, home.mtimeMs], [1000, 1000, 0o750, mtime.getTime()]);
  assert.equal(lstatSync(join(dir, 'bin')).mtimeMs, mtime.getTime(), 'dir mtime is set after its children');
  const file = lstatSync(join(dir, 'home/user/file'));
  assert.equal(lstatSync(join(dir, 'home/user/hard')).ino, file.ino);
  assert.equal(file.gid, 1001);
  assert.equal(readlinkSync(join(dir, 'lib')), 'usr/lib');
  assert.equal(lstatSync(join(dir, 'lib')).uid, 5);
  assert.equal(lstatSync(join(dir, 'dev/null')).rdev, (1 << 8) | 3);
  assert.ok(lstatSync(join(dir, 'dev/sda')).isBlockDevice());
  assert.ok(lstatSync(join(dir, 'run/fifo')).isFIFO());
  assert.equal(readFileSync(join(dir, 'long/'.repeat(30), 'name-over-100-bytes'), 'utf8'), 'deep');
});

test('GNU long names (written by GNU tar) are read', async () => {
  const src = await freshDir();
  const longName = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
  mkdirSync(join(src, 'd'.repeat(120)));
  writeFileSync(join(src, longName), 'gnu');
  const tarball = execFileSync('tar', ['--format=gnu', '-C', src, '-cf', '-', '.']);
  const dest = await freshDir();
  await applyTar(streamOf(tarball), dest, { whiteouts: 'overlay' });
  assert.equal(readFileSync(join(dest, longName), 'utf8'), 'gnu');
});

test('diff ID is the sha256 of all uncompressed bytes; gzip is detected by magic', async () => {
  const plain = Buffer.concat([await makeTar([{ name: 'a', content: 'a' }]), Buffer.alloc(4096)]);
  const expected = sha256(plain);
  const fromPlain = await applyTar(streamOf(plain), await freshDir(), { whiteouts: 'overlay' });
  const fromGzip = await applyTar(streamOf(gzipSync(plain)), await freshDir(), { whiteouts: 'overlay' });
  assert.equal(fromPlain.diffId, expected);
  assert.equal(fromGzip.diffId, expected);
});

test('overlay whiteouts become 0/0 char devices and opaque xattrs', async () => {
  const { dir } = await extract([
    { name: 'etc/.wh.passwd', content: '' },
    { name: 'var/', mode: 0o755 },
    { name: 'var/.wh..wh..opq', content: '' },
    { name: 'var/.wh..wh.plnk', content: '' },
  ]);
  const wh = lstatSync(join(dir, 'etc/passwd'));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
  assert.equal(lgetxattr(join(dir, 'var'), 'trusted.overlay.opaque')?.toString(), 'y');
  assert.deepEqual(readdirSync(join(dir, 'var')), []);
});

test('vfs whiteouts delete from the copy; opaque keeps only what this layer wrote', async () => {
  const dir = await freshDir();
  await extract(
    [{ name: 'etc/passwd', content: 'root' }, { name: 'etc/group', content: 'g' }, { name: 'var/old', content: 'o' }],
    { whiteouts: 'delete' },
    dir,
  );
  await extract(
    [
      { name: 'etc/.wh.passwd', content: '' },
      { name: 'var/new', content: 'n' },
      { name: 'var/.wh..wh..opq', content: '' },
      { name: 'gone/.wh.nothing', content: '' },
    ],
    { whiteouts: 'delete' },
    dir,
  );
  assert.deepEqual(readdirSync(join(dir, 'etc')), ['group']);
  assert.deepEqual(readdirSync(join(dir, 'var')), ['new']);
  assert.equal(existsSync(join(dir, 'gone')), false);
});

test('a hardlink to a file only in a lower layer copies it up first', async () => {
  const lower = await extract([{ name: 'usr/bin/', mode: 0o711, uid: 3 }, { name: 'usr/bin/tool', content: 'tool', mode: 0o755 }]);
  const { dir, size } = await extract([{ name: 'usr/bin/alias', type: 'link', linkname: 'usr/bin/tool' }], {
    whiteouts: 'overlay',
    lowers: [lower.dir],
  });
  const copy = lstatSync(join(dir, 'usr/bin/tool'));
  assert.equal(readFileSync(join(dir, 'usr/bin/tool'), 'utf8'), 'tool');
  assert.equal(copy.mode & 0o777, 0o755);
  assert.equal(lstatSync(join(dir, 'usr/bin/alias')).ino, copy.ino);
  assert.equal(lstatSync(join(dir, 'usr/bin')).mode & 0o777, 0o711, 'copied-up parents keep their metadata');
  assert.equal(size, 4);
});

test('absolute names are taken relative to the root, as Docker does', async () => {
  const { dir } = await extract([{ name: '/abs/file', content: 'a' }, { name: './dot/file', content: 'b' }]);
  assert.equal(readFileSync(join(dir, 'abs/file'), 'utf8'), 'a');
  assert.equal(readFileSync(join(dir, 'dot/file'), 'utf8'), 'b');
});

const hostile: [string, FixtureEntry[], RegExp][] = [
  ['dot-dot at the start', [{ name: '../etc/passwd', content: 'x' }], /invalid tar entry "\.\.\/etc\/passwd": path escapes the layer root/],
  ['dot-dot in the middle', [{ name: 'a/../../x', content: 'x' }], /"a\/\.\.\/\.\.\/x": path escapes/],
  ['write through an absolute symlink', [{ name: 'link', type: 'symlink', linkname: '/etc' }, { name: 'link/passwd', content: 'x' }], /"link\/passwd": path goes through symlink "link"/],
  ['symlink climbing out', [{ name: 'link', type: 'symlink', linkname: '../../..' }], /"link": symlink target "\.\.\/\.\.\/\.\." escapes/],
  ['nested symlink climbing out', [{ name: 'a/b/link', type: 'symlink', linkname: '../../../x' }], /escapes the layer root/],
  ['dir through a symlink', [{ name: 'l', type: 'symlink', linkname: 'real' }, { name: 'l/sub/', type: 'directory' }], /goes through symlink "l"/],
  ['hardlink escaping', [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }], /"h": hardlink target "\.\.\/\.\.\/etc\/passwd": path escapes/],
  ['hardlink to an absolute host path', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], /hardlink target "\/etc\/passwd" not found/],
  ['hardlink through a symlink', [{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 'l/passwd' }], /goes through symlink "l"/],
  ['bare whiteout', [{ name: '.wh.', content: '' }], /"\.wh\.": invalid whiteout name/],
  ['whiteout of dot-dot', [{ name: 'a/.wh...', content: '' }], /invalid whiteout name/],
  ['whiteout of dot', [{ name: 'a/.wh..', content: '' }], /invalid whiteout name/],
  ['whiteout under a symlink', [{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'l/.wh.passwd', content: '' }], /goes through symlink "l"/],
  ['opaque under a symlink', [{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'l/.wh..wh..opq', content: '' }], /goes through symlink "l"/],
  ['component too long', [{ name: `${'a'.repeat(300)}`, content: '' }], /path component is too long/],
  ['path too long', [{ name: 'abc/'.repeat(1100), content: '' }], /path is too long/],
];

for (const [title, entries, message] of hostile) {
  test(`refuses a hostile tar: ${title}`, async () => {
    const dir = await freshDir();
    await assert.rejects(
      () => extract(entries, { whiteouts: 'overlay' }, dir),
      (err: unknown) => {
        assert.ok(isEngineError(err, 'invalid'), `expected an invalid EngineError, got ${String(err)}`);
        assert.match((err as Error).message, message);
        return true;
      },
    );
    assert.equal(existsSync('/etc/.wh.passwd') || lstatSync('/etc/passwd').isCharacterDevice(), false);
  });
}

test('vfs: a symlink in the lower copy is not written through either', async () => {
  const dir = await freshDir();
  await extract([{ name: 'etc', type: 'symlink', linkname: '/tmp' }], { whiteouts: 'delete' }, dir);
  await assert.rejects(() => extract([{ name: 'etc/.wh.x', content: '' }], { whiteouts: 'delete' }, dir), /goes through symlink/);
});

test('a corrupt tar is refused as invalid', async () => {
  const good = await makeTar([{ name: 'a', content: 'a'.repeat(2000) }]);
  const dest = await freshDir();
  await assert.rejects(() => applyTar(streamOf(good.subarray(0, 1000)), dest, { whiteouts: 'overlay' }), (err: unknown) =>
    isEngineError(err, 'invalid'),
  );
});

test('an empty destination skips no clearing: names written twice, a directory replaced, a copied-up file overwritten', async () => {
  const lower = await freshDir();
  writeFileSync(join(lower, 'shared'), 'from the lower layer');
  const options: ApplyOptions = { whiteouts: 'overlay', emptyDest: true, blocking: true, lowers: [lower] };
  const { dir } = await extract(
    [
      { name: 'a/b/file', content: 'first' },
      { name: 'a/b/file', content: 'second' },
      { name: 'a/b/sub/', mode: 0o755 },
      { name: 'a/b/sub/x', content: 'x' },
      { name: 'a/b/sub', content: 'now a file' },
      { name: 'link', type: 'link', linkname: 'shared' },
      { name: 'shared', content: 'replaced' },
      { name: 'big', content: Buffer.alloc(300 << 10, 1) },
      { name: 'big', type: 'symlink', linkname: 'a/b/file' },
    ],
    options,
  );
  assert.equal(readFileSync(join(dir, 'a/b/file'), 'utf8'), 'second');
  assert.equal(readFileSync(join(dir, 'a/b/sub'), 'utf8'), 'now a file');
  assert.equal(readFileSync(join(dir, 'link'), 'utf8'), 'from the lower layer');
  assert.equal(readFileSync(join(dir, 'shared'), 'utf8'), 'replaced');
  assert.equal(readlinkSync(join(dir, 'big')), 'a/b/file');
});
