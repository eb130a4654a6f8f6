/**
 * Issue 13 §4: a create (tag, pull, build) that dockerd refuses is refused by
 * berthd before anything is made, with dockerd's status and words, and leaves
 * no container behind. Each case goes to a test berthd and, when Debian's
 * dockerd is here, to a private dockerd 20.10 given the same raw request.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { busyboxRootfs, DOCKER_CLI, dockerdSkipReason, ReferenceDockerd, run, TestDaemon } from './harness.js';

interface Answer {
  status: number;
  body: string;
}

interface Case {
  what: string;
  method?: string;
  path?: string;
  body?: unknown;
  status: number;
  message: string;
  /** dockerd answers these with a plain Go error (500); berthd says 400: the caller's request is at fault. */
  dockerdStatus?: number;
}

function call(socketPath: string, method: string, path: string, body?: unknown, version = '1.41'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const contentType = Buffer.isBuffer(body) ? 'application/x-tar' : 'application/json';
    const req = request({ socketPath, agent: false, method, path: `/v${version}${path}`, headers: data ? { 'Content-Type': contentType } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const create = (what: string, fields: Record<string, unknown>, status: number, message: string, extra: Partial<Case> = {}): Case =>
  ({ what, path: '/containers/create', body: { Image: 'busybox', Cmd: ['true'], ...fields }, status, message, ...extra });
const inParent = (more: Record<string, unknown> = {}) => ({ NetworkMode: 'container:vparent', ...more });

const CASES: Case[] = [
  create('link to a missing container', { HostConfig: { Links: ['nope:x'] } }, 400, 'could not get container for nope: No such container: nope'),
  create('empty link', { HostConfig: { Links: [''] } }, 400, 'empty string specified for links', { dockerdStatus: 500 }),
  create('link of three parts', { HostConfig: { Links: ['vparent:x:y'] } }, 400, 'bad format for links: vparent:x:y', { dockerdStatus: 500 }),
  create('--volumes-from a missing container', { HostConfig: { VolumesFrom: ['nope'] } }, 400, 'No such container: nope'),
  create('empty env entry', { Env: [''] }, 400, 'invalid environment variable: '),
  create('env "="', { Env: ['='] }, 400, 'invalid environment variable: ='),
  create('env "=foo"', { Env: ['=foo'] }, 400, 'invalid environment variable: =foo'),
  create('health interval under 1 ms', { Healthcheck: { Test: ['CMD', 'true'], Interval: 100 } }, 400, 'Interval in Healthcheck cannot be less than 1ms'),
  create('negative health timeout', { Healthcheck: { Test: ['CMD', 'true'], Timeout: -1 } }, 400, 'Timeout in Healthcheck cannot be less than 1ms'),
  create('health start period under 1 ms', { Healthcheck: { Test: ['CMD', 'true'], StartPeriod: 999_999 } }, 400, 'StartPeriod in Healthcheck cannot be less than 1ms'),
  create('negative health retries', { Healthcheck: { Test: ['CMD', 'true'], Retries: -1 } }, 400, 'Retries in Healthcheck cannot be negative'),
  create('--dns with container network', { HostConfig: inParent({ Dns: ['192.0.2.1'] }) }, 400, 'conflicting options: dns and the network mode'),
  create('--add-host with container network', { HostConfig: inParent({ ExtraHosts: ['a:192.0.2.1'] }) }, 400, 'conflicting options: custom host-to-IP mapping and the network mode'),
  create('-p with container network', { HostConfig: inParent({ PortBindings: { '80/tcp': [{ HostPort: '8080' }] } }) }, 400, 'conflicting options: port publishing and the container type network mode'),
  create('-P with container network', { HostConfig: inParent({ PublishAllPorts: true }) }, 400, 'conflicting options: port publishing and the container type network mode'),
  create('--expose with container network', { ExposedPorts: { '80/tcp': {} }, HostConfig: inParent() }, 400, 'conflicting options: port exposing and the container type network mode'),
  create('--hostname with container network', { Hostname: 'h', HostConfig: inParent() }, 400, 'conflicting options: hostname and the network mode'),
  create('--mac-address with container network', { MacAddress: '02:42:ac:11:00:02', HostConfig: inParent() }, 400, 'conflicting options: mac-address and the network mode'),
  create('--mac-address with host network', { MacAddress: '02:42:ac:11:00:02', HostConfig: { NetworkMode: 'host' } }, 400, 'conflicting options: mac-address and the network mode'),
  create('--link with container network', { HostConfig: inParent({ Links: ['vparent:x'] }) }, 400, "conflicting options: container type network can't be used with links. This would result in undefined behavior"),
  create('--link with host network', { HostConfig: { NetworkMode: 'host', Links: ['vparent:x'] } }, 400, "conflicting options: host type networking can't be used with links. This would result in undefined behavior"),
  create('container network without a name', { HostConfig: { NetworkMode: 'container:' } }, 400, 'Invalid network mode: invalid container format container:<name|id>'),
  create('--hostname with --uts host', { Hostname: 'h', HostConfig: { UTSMode: 'host' } }, 400, 'conflicting options: hostname and the UTS mode'),
  create('a container port that is not a number', { HostConfig: { PortBindings: { 'abc/tcp': [{ HostPort: '8080' }] } } }, 400, 'invalid port specification: "abc"'),
  create('a host port range upside down', { HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080-8070' }] } } }, 400, 'invalid port specification: "8080-8070"'),
  create('cpu period under 1 ms', { HostConfig: { CpuPeriod: 999 } }, 400, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'),
  create('cpu period over 1 s', { HostConfig: { CpuPeriod: 1_000_001 } }, 400, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'),
  create('cpu quota under 1 ms', { HostConfig: { CpuQuota: 999 } }, 400, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'),
  create('--cpus with a quota', { HostConfig: { NanoCpus: 1e9, CpuQuota: 5000 } }, 400, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set'),
  create('cpuset mems not a list', { HostConfig: { CpusetMems: 'x' } }, 400, 'Invalid value x for cpuset mems: invalid format: x'),
  create('cpuset mems not on this host', { HostConfig: { CpusetMems: '4095' } }, 400, 'Requested memory nodes are not available - requested 4095, available: '),
  create('cpuset cpus not a list', { HostConfig: { CpusetCpus: '1-x' } }, 400, 'Invalid value 1-x for cpuset cpus: invalid format: 1-x'),
  create('oom score adj over 1000', { HostConfig: { OomScoreAdj: 1001 } }, 400, 'Invalid value 1001, range for oom score adj is [-1000, 1000]'),
  create('oom score adj under -1000', { HostConfig: { OomScoreAdj: -1001 } }, 400, 'Invalid value -1001, range for oom score adj is [-1000, 1000]'),
  create('swappiness over 100', { HostConfig: { MemorySwappiness: 101 } }, 400, 'Invalid value: 101, valid memory swappiness range is 0-100'),
  create('memory reservation under 6 MB', { HostConfig: { MemoryReservation: 100 } }, 400, 'Minimum memory reservation allowed is 6MB'),
  create('negative shm size', { HostConfig: { ShmSize: -1 } }, 400, 'SHM size can not be less than 0'),
  create('relative working directory', { WorkingDir: 'rel' }, 400, "the working directory 'rel' is invalid, it needs to be an absolute path"),
  create('unknown stop signal', { StopSignal: 'SIGFOO' }, 400, 'Invalid signal: SIGFOO'),
  create('unknown cgroupns mode', { HostConfig: { CgroupnsMode: 'bad' } }, 400, 'invalid cgroup namespace mode: bad'),
  create('no command', { Cmd: null }, 400, 'No command specified'),
  { ...create('platform of one unknown word', {}, 400, '"foo": unknown operating system or architecture: invalid argument'), path: '/containers/create?platform=foo' },
  { ...create('platform with an empty part', {}, 400, '"" is an invalid component of "linux/": platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument'), path: '/containers/create?platform=linux/' },
  { ...create('platform of four parts', {}, 400, '"linux/amd64/v3/x": cannot parse platform specifier: invalid argument'), path: '/containers/create?platform=linux/amd64/v3/x' },
  { ...create('image of another platform', {}, 404, 'image with reference busybox was found but does not match the specified platform: wanted windows/amd64, actual: linux/amd64'), path: '/containers/create?platform=windows/amd64' },
  { what: 'tag as sha256:<hex>', method: 'POST', path: `/images/busybox/tag?repo=sha256:${'ab'.repeat(32)}`, status: 400, message: 'refusing to create an ambiguous tag using digest algorithm as name' },
  { what: 'tag as sha256 with a tag', method: 'POST', path: '/images/busybox/tag?repo=sha256&tag=x', status: 400, message: 'refusing to create an ambiguous tag using digest algorithm as name' },
  // 127.0.0.1:1 refuses connections: a platform error must come before any attempt to reach it.
  { what: 'pull with a bad platform', method: 'POST', path: '/images/create?fromImage=127.0.0.1:1/x&tag=latest&platform=foo', status: 400, message: '"foo": unknown operating system or architecture: invalid argument' },
  { what: 'pull with a wildcard platform', method: 'POST', path: '/images/create?fromImage=127.0.0.1:1/x&tag=latest&platform=linux/*', status: 400, message: '"linux/*": wildcards not yet supported: invalid argument' },
];

/** A one-file build context (tar header + "FROM busybox\n" + padding + end blocks), made here so no tool is needed. */
function buildContext(): Buffer {
  const content = Buffer.from('FROM busybox\n');
  const header = Buffer.alloc(512);
  header.write('Dockerfile', 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('0', 156);
  header.write('ustar\u000000', 257);
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.concat([content, Buffer.alloc(512 - content.length)]);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

describe('create validation: dockerd\'s 400s, nothing half-made', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let dockerd: ReferenceDockerd | undefined;
  const sockets = () => [daemon.socket, ...(dockerd ? [dockerd.host.slice('unix://'.length)] : [])];
  const isDockerd = (socket: string) => dockerd !== undefined && socket === dockerd.host.slice('unix://'.length);
  const cli = (socket: string, args: string[], env: Record<string, string> = {}) => run(DOCKER_CLI!, ['-H', `unix://${socket}`, ...args], undefined, env);

  before(async () => {
    daemon = await TestDaemon.start();
    if (!dockerdSkipReason()) dockerd = await ReferenceDockerd.start();
    const rootfs = await busyboxRootfs();
    for (const socket of sockets()) {
      const imported = cli(socket, ['import', rootfs, 'busybox:latest']);
      assert.equal(imported.code, 0, imported.stderr);
      const parent = cli(socket, ['create', '--name', 'vparent', '--network', 'none', 'busybox', 'sleep', '300']);
      assert.equal(parent.code, 0, parent.stderr);
    }
  });

  after(async () => {
    await daemon?.stop();
    if (dockerd) {
      const ids = dockerd.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
      if (ids.length) dockerd.docker(['rm', '-f', ...ids]);
      await dockerd.stop();
    }
  });

  const containerIds = async (socket: string) => (JSON.parse((await call(socket, 'GET', '/containers/json?all=1')).body) as { Id: string }[]).map((c) => c.Id).sort();

  for (const c of CASES) {
    test(c.what, async () => {
      for (const socket of sockets()) {
        const before = await containerIds(socket);
        const answer = await call(socket, c.method ?? 'POST', c.path!, c.body);
        const who = isDockerd(socket) ? 'dockerd' : 'berthd';
        const status = isDockerd(socket) ? c.dockerdStatus ?? c.status : c.status;
        assert.equal(answer.status, status, `${who}: ${answer.body}`);
        const message = (JSON.parse(answer.body) as { message: string }).message;
        if (c.message.endsWith('available: ')) assert.ok(message.startsWith(c.message), `${who}: ${message}`);
        else assert.equal(message, c.message, who);
        assert.deepEqual(await containerIds(socket), before, `${who}: no container is left behind`);
      }
    });
  }

  test('build with a bad platform: a 400 before the stream starts', async () => {
    for (const socket of sockets()) {
      const answer = await call(socket, 'POST', '/build?platform=linux/amd64/v3/x', buildContext());
      assert.equal(answer.status, 400, answer.body);
      assert.equal((JSON.parse(answer.body) as { message: string }).message, '"linux/amd64/v3/x": cannot parse platform specifier: invalid argument');
    }
  });

  test('before API 1.41 create ignores `platform`, as dockerd does', async () => {
    for (const socket of sockets()) {
      const created = await call(socket, 'POST', '/containers/create?platform=foo', { Image: 'busybox', Cmd: ['true'] }, '1.40');
      assert.equal(created.status, 201, created.body);
      await call(socket, 'DELETE', `/containers/${(JSON.parse(created.body) as { Id: string }).Id}`);
    }
  });

  test('a create refused for a link keeps the named volume it made and drops the anonymous one, as dockerd', async () => {
    for (const socket of sockets()) {
      const volumesBefore = cli(socket, ['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean);
      const answer = await call(socket, 'POST', '/containers/create', {
        Image: 'busybox', Cmd: ['true'], Volumes: { '/anon': {} }, HostConfig: { Binds: ['vnamed:/data'], Links: ['nope:x'] },
      });
      assert.equal(answer.status, 400, answer.body);
      const volumesAfter = cli(socket, ['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean);
      assert.deepEqual(volumesAfter.filter((v) => !volumesBefore.includes(v)), ['vnamed'], `${isDockerd(socket) ? 'dockerd' : 'berthd'}: only the named volume stays`);
      cli(socket, ['volume', 'rm', 'vnamed']);
    }
  });

  test('docker run --rm that fails at start leaves no container, keeps its named volume and drops the anonymous one', async () => {
    for (const socket of sockets()) {
      const who = isDockerd(socket) ? 'dockerd' : 'berthd';
      const containersBefore = await containerIds(socket);
      const volumesBefore = cli(socket, ['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean);
      const ran = cli(socket, ['run', '--rm', '--network', 'none', '-v', 'vrun:/x', '-v', '/anon', '--device', '/etc/passwd', 'busybox', 'true']);
      assert.equal(ran.code, 125, `${who}: ${ran.stderr}`);
      assert.match(ran.stderr, /error gathering device information while adding custom device "\/etc\/passwd": not a device node/, who);
      assert.deepEqual(await containerIds(socket), containersBefore, `${who}: no container is left`);
      const volumesAfter = cli(socket, ['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean);
      assert.deepEqual(volumesAfter.filter((v) => !volumesBefore.includes(v)), ['vrun'], `${who}: the named volume stays, the anonymous one goes`);
      cli(socket, ['volume', 'rm', 'vrun']);
    }
  });

  test('-e NAME unset on the client arrives as NAME and unsets NAME in the process', () => {
    const unset = 'BERTH_TEST_UNSET_VARIABLE';
    assert.equal(process.env[unset], undefined);
    assert.equal(process.env[`${unset}_B`], undefined);
    for (const socket of sockets()) {
      const name = `venv${isDockerd(socket) ? 'd' : 'b'}`;
      const ran = cli(socket, ['run', '--name', name, '--network', 'none', '-e', unset, '-e', 'A=1', '-e', 'HOSTNAME', 'busybox', 'env']);
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout, 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nA=1\nHOME=/root\n');
      // Stored as the client sent it (bare names included); the order is the CLI's own.
      const stored = JSON.parse(cli(socket, ['inspect', '-f', '{{json .Config.Env}}', name]).stdout) as string[];
      assert.deepEqual(stored.sort(), ['A=1', 'HOSTNAME', unset].sort());
      cli(socket, ['rm', name]);
      // exec: the container's environment (HOSTNAME included), the exec's over it, a bare NAME unsetting.
      const running = cli(socket, ['run', '-d', '--name', name, '--hostname', 'hx', '--network', 'none', '-e', 'A=1', '-e', `${unset}_B=2`, 'busybox', 'sleep', '300']);
      assert.equal(running.code, 0, running.stderr);
      const exec = cli(socket, ['exec', '-e', `${unset}_B`, '-e', unset, '-e', 'C=3', name, 'env']);
      assert.equal(exec.stdout, 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=hx\nA=1\nC=3\nHOME=/root\n', exec.stderr);
      cli(socket, ['rm', '-f', name]);
    }
  });

  test('a uid out of range is refused at start with libcontainer\'s words', async () => {
    for (const socket of sockets()) {
      for (const user of ['-5', '0:-5', '2147483648']) {
        const created = await call(socket, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['id'], User: user, HostConfig: { NetworkMode: 'none' } });
        assert.equal(created.status, 201, created.body);
        const { Id } = JSON.parse(created.body) as { Id: string };
        const started = await call(socket, 'POST', `/containers/${Id}/start`);
        assert.equal((JSON.parse(started.body) as { message: string }).message, 'uids and gids must be in range 0-2147483647', started.body);
        await call(socket, 'DELETE', `/containers/${Id}?force=1`);
      }
    }
  });
});
