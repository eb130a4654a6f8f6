import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { checkContainerPath, directChild, downloadName, typeOfMode } from './container-paths.js';
import { listDirectory, MAX_ENTRIES } from './file-routes.js';

test('container paths: absolute, normalised, never with ".." or NUL', () => {
  assert.equal(checkContainerPath(null), '/');
  assert.equal(checkContainerPath('/'), '/');
  assert.equal(checkContainerPath('/etc/'), '/etc');
  assert.equal(checkContainerPath('//usr//bin/./'), '/usr/bin');
  for (const bad of ['etc', '../etc', '/etc/../../root', '/..', '/a/..', 'x\0', '/a\0b']) {
    assert.throws(() => checkContainerPath(bad), { kind: 'invalid' }, bad);
  }
  assert.throws(() => checkContainerPath(`/${'a'.repeat(5000)}`), { kind: 'invalid' });
});

test('Go file modes: directories, links, files and the rest', () => {
  assert.equal(typeOfMode(2 ** 31 + 0o755), 'dir');
  assert.equal(typeOfMode((1 << 27) + 0o777), 'link');
  assert.equal(typeOfMode(0o644), 'file');
  assert.equal(typeOfMode((1 << 23) + 0o4755), 'file', 'setuid is no type');
  assert.equal(typeOfMode((1 << 26) + (1 << 21) + 0o666), 'other', 'char device');
  assert.equal(typeOfMode((1 << 25) + 0o600), 'other', 'named pipe');
});

test('direct children of an archived directory', () => {
  assert.equal(directChild('etc/passwd', 'etc'), 'passwd');
  assert.equal(directChild('etc/ssl/', 'etc'), 'ssl');
  assert.equal(directChild('etc/ssl/certs', 'etc'), undefined);
  assert.equal(directChild('etcetera/x', 'etc'), undefined);
  assert.equal(directChild('etc/', 'etc'), undefined);
  assert.equal(directChild('./bin/', ''), 'bin');
  assert.equal(directChild('/.dockerenv', ''), '.dockerenv', "the root's archive: absolute names");
  assert.equal(directChild('/bin/arch', ''), undefined);
  assert.equal(directChild('bin/sh', ''), undefined);
  assert.equal(directChild('etc/..', 'etc'), undefined);
});

test('download names keep only the last component, made safe', () => {
  assert.equal(downloadName('/etc/passwd', false), 'passwd');
  assert.equal(downloadName('/etc', true), 'etc.tar');
  assert.equal(downloadName('/', true), 'root.tar');
  assert.equal(downloadName('/tmp/a "b";c', false), 'a__b__c');
});

function archive(entries: Array<{ name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string }>): Readable {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.type === 'directory' ? 0o755 : 0o644, mtime: new Date(1_700_000_000_000) }, e.body ?? '');
  pack.finalize();
  return pack as unknown as Readable;
}

test('a directory listing keeps the direct children only, directories first, contents skipped', async () => {
  const listing = await listDirectory(archive([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', body: 'root:x:0:0\n' },
    { name: 'etc/ssl/', type: 'directory' },
    { name: 'etc/ssl/cert.pem', body: 'x'.repeat(2000) },
    { name: 'etc/mtab', type: 'symlink', linkname: '/proc/mounts' },
  ]), '/etc');
  assert.deepEqual(listing.entries.map((e) => [e.name, e.type]), [['ssl', 'dir'], ['mtab', 'link'], ['passwd', 'file']]);
  const passwd = listing.entries.find((e) => e.name === 'passwd')!;
  assert.deepEqual([passwd.size, passwd.mode, passwd.mtime], [11, 0o644, 1_700_000_000]);
  assert.equal(listing.entries.find((e) => e.name === 'mtab')!.linkTarget, '/proc/mounts');
  assert.equal(listing.truncated, false);
});

test('the root directory\'s archive names entries from "/"', async () => {
  const listing = await listDirectory(archive([{ name: '/', type: 'directory' }, { name: '/.dockerenv' }, { name: '/bin/', type: 'directory' }, { name: '/bin/arch' }]), '/');
  assert.deepEqual(listing.entries.map((e) => e.name), ['bin', '.dockerenv']);
});

test('a huge directory is listed up to the limit and says so', async () => {
  const many = Array.from({ length: MAX_ENTRIES + 3 }, (_, i) => ({ name: `d/f${i}` }));
  const listing = await listDirectory(archive([{ name: 'd/', type: 'directory' }, ...many]), '/d');
  assert.equal(listing.entries.length, MAX_ENTRIES);
  assert.equal(listing.truncated, true);
});
