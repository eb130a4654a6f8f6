import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPlatform, hostPlatform, parsePlatform, platformRuns } from './platform.js';

test('parsePlatform reads the forms containerd reads, normalised', () => {
  const host = hostPlatform().architecture;
  assert.deepEqual(parsePlatform('linux'), { os: 'linux', architecture: host });
  assert.deepEqual(parsePlatform('LINUX/AMD64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('windows'), { os: 'windows', architecture: host });
  assert.deepEqual(parsePlatform('x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm' });
  assert.deepEqual(parsePlatform('linux/armhf'), { os: 'linux', architecture: 'arm' });
  assert.deepEqual(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
  assert.deepEqual(parsePlatform('linux/foo'), { os: 'linux', architecture: 'foo' }, 'two parts are not checked against known names');
  assert.deepEqual(parsePlatform(''), hostPlatform());
});

test('parsePlatform refuses with containerd\'s words', () => {
  assert.throws(() => parsePlatform('foo'), { message: '"foo": unknown operating system or architecture: invalid argument' });
  assert.throws(() => parsePlatform('/'), { message: '"" is an invalid component of "/": platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument' });
  assert.throws(() => parsePlatform('linux/amd64/v3/x'), { message: '"linux/amd64/v3/x": cannot parse platform specifier: invalid argument' });
  assert.throws(() => parsePlatform('a*'), { message: '"a*": wildcards not yet supported: invalid argument' });
  assert.throws(() => parsePlatform('linux/amd 64'), (err: Error & { kind?: string }) => err.kind === 'invalid');
});

test('platformRuns matches as platforms.Only does', () => {
  const amd64 = { os: 'linux', architecture: 'amd64' };
  assert.ok(platformRuns(parsePlatform('linux/amd64'), amd64));
  assert.ok(platformRuns(parsePlatform('linux/amd64/v3'), amd64), 'an amd64 v3 host runs baseline amd64');
  assert.ok(!platformRuns(parsePlatform('linux/arm64'), amd64));
  assert.ok(!platformRuns(parsePlatform('windows/amd64'), amd64));
  assert.ok(platformRuns(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(platformRuns(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' }));
  assert.ok(!platformRuns(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(platformRuns(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' }));
});

test('formatPlatform writes os/arch[/variant]', () => {
  assert.equal(formatPlatform(parsePlatform('windows/amd64')), 'windows/amd64');
  assert.equal(formatPlatform(parsePlatform('linux/arm/v6')), 'linux/arm/v6');
});
