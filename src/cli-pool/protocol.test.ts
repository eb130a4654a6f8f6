import { test } from 'node:test';
import assert from 'node:assert/strict';
import { message, parseHeader, parseRequest } from './protocol.js';
import { startupEnvDifference } from './stamp.js';

test('a request as the launcher writes it: cwd, gid, groups, argc, arguments, environment', () => {
  const payload = Buffer.from(['/home/u', '1000', '1000,27', 'net:1,root:2:3', '2', 'ps', '-a', 'HOME=/home/u', 'X=a=b', 'HOME=/other', 'NOEQUALS', ''].join('\0'));
  assert.deepEqual(parseRequest(payload), {
    cwd: '/home/u',
    gid: 1000,
    groups: [1000, 27],
    place: 'net:1,root:2:3',
    args: ['ps', '-a'],
    // The first of a repeated name wins, as getenv(3) finds it; an entry without '=' is no variable.
    env: { HOME: '/home/u', X: 'a=b' },
  });
  assert.deepEqual(parseRequest(Buffer.from(['/', '0', '', 'net:1', '0', ''].join('\0')))?.groups, []);
});

test('a truncated or inconsistent request is refused', () => {
  assert.equal(parseRequest(Buffer.from('/home/u\x001000')), undefined);
  assert.equal(parseRequest(Buffer.from(['/', '0', '', 'net:1', '5', 'ps', ''].join('\0'))), undefined);
  assert.equal(parseRequest(Buffer.from(['/', '0', '', 'net:1', 'x', ''].join('\0'))), undefined);
});

test('the header carries the payload length and the umask; another version is not read', () => {
  const header = Buffer.alloc(16);
  header.write('BRT1', 0, 'latin1');
  header.writeUInt32LE(1234, 4);
  header.writeUInt32LE(0o022, 8);
  assert.deepEqual(parseHeader(header), { payloadLength: 1234, umask: 0o022 });
  header.write('BRT2', 0, 'latin1');
  assert.equal(parseHeader(header), undefined);
});

test('messages are a letter and a little-endian i32', () => {
  assert.deepEqual([...message('X', 3)], [0x58, 3, 0, 0, 0]);
  assert.deepEqual([...message('K', 2)], [0x4b, 2, 0, 0, 0]);
});

test('variables Node reads only at its start must match the worker\'s; others may differ', () => {
  const started = { LANG: 'C.UTF-8', PATH: '/bin', NODE_CHANNEL_FD: '3' };
  assert.equal(startupEnvDifference(started, { LANG: 'C.UTF-8', PATH: '/usr/bin', DOCKER_HOST: 'unix:///x' }), undefined);
  assert.equal(startupEnvDifference(started, { LANG: 'de_DE.UTF-8' }), 'LANG');
  assert.equal(startupEnvDifference(started, { LANG: 'C.UTF-8', NODE_TLS_REJECT_UNAUTHORIZED: '0' }), 'NODE_TLS_REJECT_UNAUTHORIZED');
  assert.equal(startupEnvDifference(started, { LANG: 'C.UTF-8', LC_ALL: 'C' }), 'LC_ALL');
});
