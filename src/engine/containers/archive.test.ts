import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { isEngineError } from '../../lib/errors.js';
import { makeTar, streamOf, type FixtureEntry } from '../../lib/tar/testing.js';
import { mount, umount2 } from '../../platform/linux/sys.js';
import { exportRootfs, getArchive, putArchive, statPath, type ContainerFsInput } from './archive.js';
import { GoMode, goFileMode, rfc3339Nano } from './archive-stat.js';

// A temp dir stands in for the mounted root filesystem: the busybox rootfs of
// scripts/busybox-rootfs.sh plus a few files and hostile symlinks; "host/" next
// to it holds a volume's source and files a container must never reach.
let tmp: string;
let rootfs: string;
let volume: string;
let ctr: ContainerFsInput;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'berth-archive-'));
  rootfs = join(tmp, 'rootfs');
  volume = join(tmp, 'host/volume');
  mkdirSync(rootfs);
  mkdirSync(volume, { recursive: true });
  writeFileSync(join(tmp, 'host/secret'), 'host secret');
  execFileSync(join(process.cwd(), 'scripts/busybox-rootfs.sh'), [join(tmp, 'busybox.tar')]);
  execFileSync('tar', ['-xf', join(tmp, 'busybox.tar'), '-C', rootfs]);
  writeFileSync(join(rootfs, 'etc/hostname'), 'ctr\n');
  chownSync(join(rootfs, 'etc/hostname'), 1234, 5678);
  chmodSync(join(rootfs, 'etc/hostname'), 0o4751);
  symlinkSync('/', join(rootfs, 'etc/evil'));
  symlinkSync('../../..', join(rootfs, 'etc/up'));
  symlinkSync('hostname', join(rootfs, 'etc/rel'));
  mkdirSync(join(rootfs, 'data'));
  writeFileSync(join(volume, 'in-volume'), 'v');
  ctr = { rootfs, container: 'ctr', mounts: [{ destination: '/data', source: volume, readonly: false }] };
});
after(async () => rm(tmp, { recursive: true, force: true }));

interface Listed {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname: string | null;
  content: string;
}

async function list(stream: Readable): Promise<Listed[]> {
  const extract = tar.extract();
  stream.pipe(extract);
  const entries: Listed[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const h = entry.header;
    entries.push({ name: h.name, type: h.type ?? 'file', mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0, linkname: h.linkname ?? null, content: Buffer.concat(chunks).toString() });
  }
  return entries;
}

async function names(path: string): Promise<string[]> {
  return (await list((await getArchive(ctr, path)).tar)).map((e) => e.name);
}

async function put(path: string, entries: FixtureEntry[], options: Partial<Parameters<typeof putArchive>[3]> = {}, fs = ctr) {
  await putArchive(fs, path, streamOf(await makeTar(entries)), { noOverwriteDirNonDir: true, copyUIDGID: false, ...options });
}

function rejectsWith(kind: 'invalid' | 'notFound', message: RegExp | string) {
  return (err: unknown) => {
    assert.ok(isEngineError(err, kind), `expected a ${kind} EngineError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal((err as Error).message, message);
    else assert.match((err as Error).message, message);
    return true;
  };
}

test('Go FileMode bits: type bits at the top, permissions at the bottom', () => {
  assert.equal(goFileMode(0o040755), 2 ** 31 + 0o755);
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o120777), 2 ** 27 + 0o777);
  assert.equal(goFileMode(0o104755), GoMode.setuid + 0o755);
  assert.equal(goFileMode(0o041777), GoMode.dir + GoMode.sticky + 0o777);
  assert.equal(goFileMode(0o020666), GoMode.device + GoMode.charDevice + 0o666);
  assert.equal(goFileMode(0o060660), GoMode.device + 0o660);
  assert.equal(goFileMode(0o010600), GoMode.namedPipe + 0o600);
  assert.equal(goFileMode(0o140755), GoMode.socket + 0o755);
});

test('times are RFC 3339 with nanoseconds, trailing zeros dropped', () => {
  assert.equal(rfc3339Nano(1_700_000_000n, 120_000_000n), '2023-11-14T22:13:20.12Z');
  assert.equal(rfc3339Nano(0n, 0n), '1970-01-01T00:00:00Z');
  assert.equal(rfc3339Nano(1n, 5n), '1970-01-01T00:00:01.000000005Z');
});

test('statPath of a directory, a file and a symlink', async () => {
  const dir = await statPath(ctr, '/etc');
  assert.deepEqual([dir.name, dir.mode, dir.linkTarget], ['etc', GoMode.dir + 0o755, '']);
  const file = await statPath(ctr, '/etc/hostname');
  assert.deepEqual([file.name, file.size, file.mode], ['hostname', 4, GoMode.setuid + 0o751]);
  assert.match(file.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const link = await statPath(ctr, '/etc/rel');
  assert.deepEqual([link.name, link.mode, link.linkTarget], ['rel', GoMode.symlink + 0o777, '/etc/hostname']);
  assert.equal((await statPath(ctr, '/etc/evil')).linkTarget, '/');
  assert.equal((await statPath(ctr, '/etc/up')).linkTarget, '/', '../../.. stops at the container root');
  assert.equal((await statPath(ctr, '/etc/evil/')).mode, GoMode.dir + 0o755, 'a trailing slash follows the link');
  assert.equal((await statPath(ctr, '/etc/.')).name, '.');
  assert.equal((await statPath(ctr, 'etc/')).name, 'etc');
  assert.equal((await statPath(ctr, '/data/in-volume')).size, 1, 'paths in a volume resolve into its source');
});

test('statPath of a missing path is notFound with Docker\'s message', async () => {
  await assert.rejects(() => statPath(ctr, '/nope'), rejectsWith('notFound', 'Could not find the file /nope in container ctr'));
  await assert.rejects(() => statPath(ctr, '/etc/hostname/'), rejectsWith('invalid', /not a directory/));
});

test('getArchive rebases entries on the base name of the path', async () => {
  assert.deepEqual(await names('/etc/hostname'), ['hostname']);
  const etc = await names('/etc');
  assert.equal(etc[0], 'etc/');
  assert.ok(etc.includes('etc/passwd') && etc.includes('etc/hostname'));
  assert.deepEqual(await names('/etc/'), etc);
  const dot = await names('/etc/.');
  assert.equal(dot[0], './');
  assert.ok(dot.includes('./passwd'));
  const root = await names('/');
  assert.equal(root[0], '/');
  assert.ok(root.includes('/etc/passwd') && root.includes('/bin/busybox'));
});

test('getArchive keeps modes (with the file type bits, as Docker writes them), owners and content; a final symlink is archived as itself', async () => {
  const [file] = await list((await getArchive(ctr, '/etc/hostname')).tar);
  assert.deepEqual([file!.mode, file!.uid, file!.gid, file!.content], [0o104751, 1234, 5678, 'ctr\n']);
  const link = await list((await getArchive(ctr, '/etc/evil')).tar);
  assert.deepEqual(link.map((e) => [e.name, e.type, e.linkname]), [['evil', 'symlink', '/']]);
  const bins = await list((await getArchive(ctr, '/bin')).tar);
  const first = bins.find((e) => e.type === 'file' && e.content.length > 0)!;
  assert.ok(bins.some((e) => e.type === 'link' && e.linkname === first.name), 'applet hardlinks stay hardlinks');
});

test('a symlink to / or ../../.. followed with a trailing slash stays in the container', async () => {
  for (const path of ['/etc/evil/', '/etc/up/', '/etc/up/.']) {
    const entries = await names(path);
    const prefix = path.endsWith('.') ? './' : path.includes('up') ? 'up/' : 'evil/';
    const top = new Set(entries.filter((n) => n !== prefix).map((n) => n.slice(prefix.length).split('/')[0]));
    assert.deepEqual([...top].sort(), readdirSync(rootfs).sort(), `${path} lists the container's root`);
    assert.ok(!entries.some((n) => n.endsWith('secret')), 'no host file');
  }
});

test('getArchive of a directory with a volume includes the volume, from its source', async () => {
  const entries = await list((await getArchive(ctr, '/data')).tar);
  assert.deepEqual(entries.map((e) => [e.name, e.content]), [['data/', ''], ['data/in-volume', 'v']]);
});

test('round trip: /bin and /etc/hostname out of the container and back into /tmp keep everything', async () => {
  await putArchive(ctr, '/tmp', (await getArchive(ctr, '/bin')).tar, { noOverwriteDirNonDir: true, copyUIDGID: false });
  await putArchive(ctr, '/tmp', (await getArchive(ctr, '/etc/hostname')).tar, { noOverwriteDirNonDir: true, copyUIDGID: false });
  const copy = lstatSync(join(rootfs, 'tmp/hostname'));
  assert.deepEqual([copy.mode & 0o7777, copy.uid, copy.gid], [0o4751, 1234, 5678]);
  assert.equal(readFileSync(join(rootfs, 'tmp/hostname'), 'utf8'), 'ctr\n');
  assert.deepEqual(readdirSync(join(rootfs, 'tmp/bin')).sort(), readdirSync(join(rootfs, 'bin')).sort());
  const busybox = lstatSync(join(rootfs, 'tmp/bin/busybox'));
  assert.equal(lstatSync(join(rootfs, 'tmp/bin/sh')).ino, busybox.ino, 'hardlinks come back as hardlinks');
  assert.equal(busybox.mode & 0o7777, 0o755);
  assert.equal(lstatSync(join(rootfs, 'tmp/bin')).mtimeMs, lstatSync(join(rootfs, 'bin')).mtimeMs);
});

test('copying /etc elsewhere fails on its ../../.. symlink, as Docker refuses links that leave the extraction point', async () => {
  mkdirSync(join(rootfs, 'etc-copy'));
  const { tar: etc } = await getArchive(ctr, '/etc');
  await assert.rejects(() => putArchive(ctr, '/etc-copy', etc, { noOverwriteDirNonDir: true, copyUIDGID: false }), rejectsWith('invalid', /"etc\/up": symlink target "\.\.\/\.\.\/\.\." escapes/));
});

test('putArchive writes files, dirs and links with their modes and owners', async () => {
  mkdirSync(join(rootfs, 'srv'));
  await put('/srv', [
    { name: 'app/', mode: 0o750, uid: 7, gid: 8 },
    { name: 'app/run.sh', content: '#!/bin/sh', mode: 0o755, uid: 7, gid: 8 },
    { name: 'app/link', type: 'symlink', linkname: 'run.sh' },
    { name: 'app/hard', type: 'link', linkname: 'app/run.sh' },
  ]);
  const app = lstatSync(join(rootfs, 'srv/app'));
  assert.deepEqual([app.mode & 0o777, app.uid, app.gid], [0o750, 7, 8]);
  assert.equal(lstatSync(join(rootfs, 'srv/app/run.sh')).mode & 0o777, 0o755);
  assert.equal(readlinkSync(join(rootfs, 'srv/app/link')), 'run.sh');
  assert.equal(lstatSync(join(rootfs, 'srv/app/hard')).ino, lstatSync(join(rootfs, 'srv/app/run.sh')).ino);
});

test('putArchive with copyUIDGID gives files to the container user', async () => {
  mkdirSync(join(rootfs, 'www'));
  await put('/www', [{ name: 'index.html', content: 'hi', uid: 0, gid: 0 }], { copyUIDGID: true, user: 'www-data' });
  const st = lstatSync(join(rootfs, 'www/index.html'));
  assert.deepEqual([st.uid, st.gid], [33, 33]);
});

test('putArchive errors as Docker words them', async () => {
  const file = [{ name: 'f', content: 'x' }];
  await assert.rejects(() => put('/nope', file), rejectsWith('notFound', 'Could not find the file /nope in container ctr'));
  await assert.rejects(() => put('/etc/passwd', file), rejectsWith('invalid', 'extraction point is not a directory'));
  await assert.rejects(() => put('/', [{ name: 'tmp', content: 'x' }]), rejectsWith('invalid', 'cannot overwrite directory "/tmp" with non-directory "/"'));
  await assert.rejects(() => put('/etc', [{ name: 'passwd/', type: 'directory' }]), rejectsWith('invalid', 'cannot overwrite non-directory "/etc/passwd" with directory "/etc"'));
  await assert.rejects(() => put('/tmp', file, {}, { ...ctr, readonlyRootfs: true }), rejectsWith('invalid', 'container rootfs is marked read-only'));
  const readonlyVolume = { ...ctr, mounts: [{ destination: '/data', source: volume, readonly: true }] };
  await assert.rejects(() => put('/data', file, {}, readonlyVolume), rejectsWith('invalid', 'mounted volume is marked read-only'));
  await assert.rejects(() => put('/', [{ name: 'data/f', content: 'x' }], {}, readonlyVolume), rejectsWith('invalid', 'mounted volume is marked read-only'));
});

test('putArchive without noOverwriteDirNonDir replaces, and writes into a volume through its source', async () => {
  mkdirSync(join(rootfs, 'replace/dir'), { recursive: true });
  await put('/replace', [{ name: 'dir', content: 'now a file' }], { noOverwriteDirNonDir: false });
  assert.equal(readFileSync(join(rootfs, 'replace/dir'), 'utf8'), 'now a file');
  await put('/data', [{ name: 'new', content: 'n' }]);
  assert.equal(readFileSync(join(volume, 'new'), 'utf8'), 'n');
  assert.equal(existsSync(join(rootfs, 'data/new')), false);
});

test('hostile tars never write outside the container', async () => {
  mkdirSync(join(rootfs, 'drop'));
  await assert.rejects(() => put('/drop', [{ name: '../../escape', content: 'x' }]), rejectsWith('invalid', /path escapes/));
  await assert.rejects(() => put('/drop', [{ name: 'up', type: 'symlink', linkname: '../../../..' }]), rejectsWith('invalid', /escapes/));
  await assert.rejects(() => put('/drop', [{ name: 'h', type: 'link', linkname: '../../host/secret' }]), rejectsWith('invalid', /path escapes/));
  await assert.rejects(() => put('/drop', [{ name: 'h', type: 'link', linkname: '/host/secret' }]), rejectsWith('invalid', /not found/));

  await put('/drop', [{ name: '/abs', content: 'a' }]);
  assert.equal(readFileSync(join(rootfs, 'drop/abs'), 'utf8'), 'a', 'absolute names are relative to the extraction point');

  // A symlink to '/' then a write through it: Docker follows it in the container's scope, so it lands in the container's /etc.
  await put('/drop', [{ name: 'root', type: 'symlink', linkname: '/' }, { name: 'root/etc/through-link', content: 't' }]);
  assert.equal(readFileSync(join(rootfs, 'etc/through-link'), 'utf8'), 't');
  // Hardlinking through that symlink reaches the container's files, not the host's.
  await assert.rejects(() => put('/drop', [{ name: 'hard-secret', type: 'link', linkname: 'root/host/secret' }]), rejectsWith('invalid', /not found/));
  assert.equal(existsSync(join(rootfs, 'drop/hard-secret')), false);

  // Extraction points and parents behind symlinks to '/' or '../../..' are the container's root.
  await put('/etc/evil', [{ name: 'via-evil', content: 'e' }]);
  await put('/etc/up/tmp', [{ name: 'via-up', content: 'u' }]);
  await put('/etc', [{ name: 'evil/via-entry', content: 'v' }]);
  assert.equal(readFileSync(join(rootfs, 'via-evil'), 'utf8'), 'e');
  assert.equal(readFileSync(join(rootfs, 'tmp/via-up'), 'utf8'), 'u');
  assert.equal(readFileSync(join(rootfs, 'via-entry'), 'utf8'), 'v');
  for (const name of ['escape', 'abs', 'via-evil', 'via-entry', 'etc/through-link', 'tmp/via-up']) {
    assert.equal(existsSync(join('/', name)), false, `host /${name}`);
  }
  assert.equal(readFileSync(join(tmp, 'host/secret'), 'utf8'), 'host secret');
});

test('exportRootfs: the whole tree without a root entry, submount contents left out', async () => {
  const proc = join(rootfs, 'proc');
  mount('tmpfs', proc, 'tmpfs', 0, 'size=1m');
  try {
    writeFileSync(join(proc, 'mounted-file'), 'x');
    const entries = await list(await exportRootfs(rootfs));
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(entries[0]!.name, 'bin/');
    assert.ok(byName.has('etc/passwd') && byName.has('bin/busybox') && byName.has('proc/'));
    assert.equal(byName.get('etc/evil')?.linkname, '/');
    assert.equal(byName.has('proc/mounted-file'), false);
    assert.ok(!entries.some((e) => e.name.startsWith('/') || e.name.startsWith('./')));
    assert.ok(!byName.has('data/in-volume'), 'volumes are not part of the export');
  } finally {
    umount2(proc);
  }
});
