import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { notFound } from '../../lib/errors.js';
import { daemonEnv, replaceOrAppendEnv } from './merge.js';
import type { Container, ContainerConfig, HostConfig } from './types.js';
import { resolveUser } from './user.js';
import { validateCreate, validateHostConfig } from './validate.js';
import { checkLinks } from './validate-network.js';
import { checkImagePlatform } from './validate-platform.js';
import { parseUintList } from './validate-resources.js';

const refused = (config: ContainerConfig & { MacAddress?: string }, host: HostConfig, message: string) =>
  assert.throws(() => validateCreate(config, host), (err: Error & { kind?: string }) => err.kind === 'invalid' && err.message === message, message);

test('env entries without a name are refused; a bare NAME is not', () => {
  for (const entry of ['', '=', '=foo']) refused({ Env: [entry] }, {}, `invalid environment variable: ${entry}`);
  assert.deepEqual(validateCreate({ Env: ['FOO', 'A=1', ' =x'] }, {}), []);
});

test('health check durations under 1 ms (but not 0) and negative retries are refused, in dockerd\'s order', () => {
  refused({ Healthcheck: { Interval: 999_999 } }, {}, 'Interval in Healthcheck cannot be less than 1ms');
  refused({ Healthcheck: { Timeout: -1, Retries: -1 } }, {}, 'Timeout in Healthcheck cannot be less than 1ms');
  refused({ Healthcheck: { Retries: -1, StartPeriod: 1 } }, {}, 'Retries in Healthcheck cannot be negative');
  refused({ Healthcheck: { StartPeriod: 1 } }, {}, 'StartPeriod in Healthcheck cannot be less than 1ms');
  validateCreate({ Healthcheck: { Interval: 0, Timeout: 0, StartPeriod: 0, Retries: 0 } }, {});
  validateCreate({ Healthcheck: { Interval: 1_000_000 } }, {});
});

test('a shared network namespace takes no dns, hosts, mac, ports, links or hostname of its own', () => {
  const shared: HostConfig = { NetworkMode: 'container:other' };
  refused({}, { ...shared, Dns: ['1.1.1.1'] }, 'conflicting options: dns and the network mode');
  refused({}, { ...shared, ExtraHosts: ['a:1.2.3.4'] }, 'conflicting options: custom host-to-IP mapping and the network mode');
  refused({ MacAddress: '02:42:ac:11:00:02' }, shared, 'conflicting options: mac-address and the network mode');
  refused({ MacAddress: '02:42:ac:11:00:02' }, { NetworkMode: 'host' }, 'conflicting options: mac-address and the network mode');
  refused({}, { ...shared, PortBindings: { '80/tcp': [] } }, 'conflicting options: port publishing and the container type network mode');
  refused({ ExposedPorts: { '80/tcp': {} } }, shared, 'conflicting options: port exposing and the container type network mode');
  refused({ Hostname: 'h' }, shared, 'conflicting options: hostname and the network mode');
  refused({}, { NetworkMode: 'container' }, 'Invalid network mode: invalid container format container:<name|id>');
  // With host networking dockerd allows --dns, --add-host and --hostname, and warns that ports are dropped.
  assert.deepEqual(validateCreate({ Hostname: 'h' }, { NetworkMode: 'host', Dns: ['1.1.1.1'], ExtraHosts: ['a:1.2.3.4'], PortBindings: { '80/tcp': [] } }),
    ['Published ports are discarded when using host network mode']);
});

test('published ports are read as go-connections reads them', () => {
  for (const [key, hostPort, bad] of [['abc/tcp', '80', 'abc'], ['80-81/tcp', '80', '80-81'], ['70000/tcp', '', '70000'], ['80/tcp', '8080-8070', '8080-8070'], ['80/tcp', 'x', 'x']]) {
    refused({}, { PortBindings: { [key!]: [{ HostPort: hostPort }] } }, `invalid port specification: "${bad}"`);
  }
  validateCreate({}, { PortBindings: { '80/xyz': [{ HostPort: '8080-8090' }], '/tcp': [{ HostPort: '' }], '53/udp': [{}] } });
});

test('resources out of range get dockerd\'s messages', () => {
  refused({}, { CpuPeriod: 999 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  refused({}, { CpuPeriod: -1 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  refused({}, { CpuQuota: 1 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
  validateCreate({}, { CpuQuota: -1, CpuPeriod: 100_000 });
  refused({}, { NanoCpus: 1e9, CpuPeriod: 100_000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  refused({}, { CpusetMems: '0,x' }, 'Invalid value 0,x for cpuset mems: invalid format: 0,x');
  refused({}, { OomScoreAdj: 1001 }, 'Invalid value 1001, range for oom score adj is [-1000, 1000]');
  validateCreate({}, { OomScoreAdj: -1000, MemorySwappiness: -1 });
  refused({}, { MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100');
  refused({}, { ShmSize: -1 }, 'SHM size can not be less than 0');
  refused({}, { MemorySwap: 1e8 }, 'You should always set the Memory limit when using Memoryswap limit, see usage');
  validateHostConfig({ MemorySwap: 1e8 }, { update: true }); // the container may have a memory limit already
});

test('parseUintList reads Go\'s cpuset lists', () => {
  assert.deepEqual([...parseUintList('0-2,5')!], [0, 1, 2, 5]);
  assert.equal(parseUintList('2-1'), null);
  assert.equal(parseUintList('-1'), null);
  assert.equal(parseUintList(''), null);
});

test('links must name existing containers; a missing one is the caller\'s error (400)', () => {
  const parent = { hostConfig: { NetworkMode: 'default' } } as unknown as Container;
  const find = (name: string): Container => {
    if (name === 'p') return parent;
    if (name === 'h') return { hostConfig: { NetworkMode: 'host' } } as unknown as Container;
    throw notFound(`No such container: ${name}`);
  };
  checkLinks({ Links: ['p:alias', '/p:/me/alias', 'p'] }, find);
  assert.throws(() => checkLinks({ Links: ['nope:x'] }, find), { kind: 'invalid', message: 'could not get container for nope: No such container: nope' } as object);
  assert.throws(() => checkLinks({ Links: ['h:x'] }, find), /host type networking can't be used with links/);
  assert.throws(() => checkLinks({ Links: ['p:x:y'] }, find), { message: 'bad format for links: p:x:y' });
  checkLinks({ NetworkMode: 'mynet', Links: ['nope:x'] }, find); // user networks carry their own links
});

test('a bare NAME unsets NAME from the defaults and never reaches the process', () => {
  assert.deepEqual(replaceOrAppendEnv(['PATH=/bin', 'HOSTNAME=h'], ['FOO', 'A=1', 'HOSTNAME', 'PATH=/x']), ['PATH=/x', 'A=1']);
  assert.deepEqual(replaceOrAppendEnv([], ['A=1', 'A=2', 'B']), ['A=1', 'A=2']);
  assert.deepEqual(daemonEnv({ Hostname: 'h', Env: ['A=1', 'HOSTNAME', 'FOO'] }, true, ['L_NAME=/x/l']),
    ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm', 'L_NAME=/x/l', 'A=1']);
});

test('create\'s platform must match the image found', () => {
  checkImagePlatform('busybox', 'linux/amd64', { os: 'linux', architecture: 'amd64' });
  checkImagePlatform('busybox', undefined, { os: 'windows', architecture: 'arm64' });
  assert.throws(() => checkImagePlatform('busybox', 'linux/arm64', { os: 'linux', architecture: 'amd64' }),
    { kind: 'notFound', message: 'image with reference busybox was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64' } as object);
});

test('numeric users and groups outside 0..2^31-1 are refused as libcontainer refuses them', async () => {
  const rootfs = await mkdtemp(join(tmpdir(), 'berth-user-'));
  try {
    await mkdir(join(rootfs, 'etc'));
    await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\n');
    for (const spec of ['-5', '0:-5', '2147483648', '+2147483648']) {
      await assert.rejects(resolveUser(rootfs, spec), { message: 'uids and gids must be in range 0-2147483647' }, spec);
    }
    assert.equal((await resolveUser(rootfs, '2147483647:+7')).user.gid, 7);
    await assert.rejects(resolveUser(rootfs, '99999999999999999999'), /unable to find user 99999999999999999999/);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
});
