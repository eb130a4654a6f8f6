import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, lstatSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { filesystemName, lgetxattr, llistxattr, lremovexattr, lsetxattr, mknod, netnsSocket, S_IFCHR, S_IFIFO, sealedCopy, statfs, umount2 } from './sys.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-sys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('xattrs round-trip binary values without following symlinks', () => {
  const file = join(dir, 'x');
  writeFileSync(file, '');
  const value = Buffer.from([0, 1, 2, 0xff, 0xfe]);
  lsetxattr(file, 'trusted.berth', value);
  assert.deepEqual(lgetxattr(file, 'trusted.berth'), value);
  assert.ok(llistxattr(file).includes('trusted.berth'));
  lremovexattr(file, 'trusted.berth');
  assert.equal(lgetxattr(file, 'trusted.berth'), null);

  const link = join(dir, 'link');
  symlinkSync(file, link);
  lsetxattr(link, 'trusted.onlink', Buffer.from('y'));
  assert.equal(lgetxattr(file, 'trusted.onlink'), null, 'the target must not receive the link’s attribute');
  assert.deepEqual(lgetxattr(link, 'trusted.onlink'), Buffer.from('y'));
});

test('mknod makes char devices and fifos', () => {
  mknod(join(dir, 'null0'), S_IFCHR | 0o600, 0, 0);
  const st = lstatSync(join(dir, 'null0'));
  assert.ok(st.isCharacterDevice());
  assert.equal(st.rdev, 0);
  mknod(join(dir, 'c15'), S_IFCHR | 0o644, 1, 5);
  assert.equal(lstatSync(join(dir, 'c15')).rdev, (1 << 8) | 5);
  mknod(join(dir, 'fifo'), S_IFIFO | 0o644);
  assert.ok(lstatSync(join(dir, 'fifo')).isFIFO());
});

test('errors look like Node system errors', () => {
  assert.throws(() => mknod(join(dir, 'missing', 'x'), S_IFIFO | 0o644), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'ENOENT');
    assert.equal(err.syscall, 'mknod');
    assert.equal(err.errno, -2);
    assert.match(err.message, /^ENOENT: no such file or directory, mknod '/);
    return true;
  });
  assert.throws(() => umount2(dir, 0), { code: 'EINVAL', syscall: 'umount2' });
  assert.throws(() => lsetxattr(dir, 'trusted.x', 'nope' as unknown as Buffer), TypeError);
});

test('statfs names the backing filesystem', () => {
  assert.ok(statfs(dir).bsize > 0);
  assert.match(filesystemName(dir), /^[a-z0-9]+$/);
  assert.equal(filesystemName('/proc'), '<unknown 0x9fa0>');
});

test('netnsSocket makes a socket that lives in another netns: only senders inside it reach it', async () => {
  const ns = `berth-sys-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const made = netnsSocket(`/run/netns/${ns}`, 'udp', '127.0.0.11');
    assert.ok(made.fd > 2 && made.port > 0);
    const socket = createSocket('udp4');
    const got = new Promise<string>((resolve) => socket.on('message', (m) => resolve(m.toString())));
    await new Promise<void>((resolve) => socket.bind({ fd: made.fd }, resolve));
    assert.equal(socket.address().port, made.port);
    const send = (...netns: string[]) => new Promise((resolve) => execFile('sh', ['-c',
      `${netns.length ? `ip netns exec ${netns[0]} ` : ''}${process.execPath} -e "require('dgram').createSocket('udp4').send('${netns.length ? 'inside' : 'host'}', ${made.port}, '127.0.0.11', () => process.exit(0))"`], resolve));
    await send(); // the host's 127.0.0.11 is another address: nobody listens there
    await send(ns);
    assert.equal(await got, 'inside');
    socket.close();
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
  assert.throws(() => netnsSocket('/nonexistent/netns', 'tcp', '127.0.0.11'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && err.syscall === 'open');
});

test('sealedCopy gives a copy that nothing can change and that runs (how conmon starts runc)', () => {
  const fd = sealedCopy('/bin/echo');
  try {
    const path = `/proc/${process.pid}/fd/${fd}`;
    assert.deepEqual(readFileSync(path), readFileSync('/bin/echo'));
    assert.throws(() => writeSync(fd, 'x', 0), (err: NodeJS.ErrnoException) => err.code === 'EPERM');
    assert.equal(execFileSync(path, ['sealed']).toString(), 'sealed\n');
  } finally {
    closeSync(fd);
  }
  assert.throws(() => sealedCopy(join(dir, 'missing')), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && err.syscall === 'open');
});
