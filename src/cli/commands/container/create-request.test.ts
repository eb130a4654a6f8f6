import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTAINER_FLAGS, RUN_ONLY_FLAGS } from './create-flags.js';
import { buildCreateRequest, compact } from './create-request.js';
import { parseFlags } from '../../flags.js';

/** Flags → the create request, as the docker CLI 28 sent it to a capturing server. */
function request(argv: string[]) {
  const parsed = parseFlags(argv, [...CONTAINER_FLAGS, ...RUN_ONLY_FLAGS], false);
  return compact(buildCreateRequest({ flags: parsed.flags, changed: parsed.changed, image: parsed.args[0], args: parsed.args.slice(1), env: { HOME: '/root' } }));
}

const cases: Array<[string[], Record<string, unknown>, Record<string, unknown>]> = [
  [['--cpus', '1.5', 'busybox'], {}, { NanoCpus: 1500000000 }],
  [['-m', '64m', 'busybox'], {}, { Memory: 67108864 }],
  [['--memory-swap', '-1', '--memory-reservation', '32m', 'busybox'], {}, { MemorySwap: -1, MemoryReservation: 33554432 }],
  [['--restart', 'on-failure:3', 'busybox'], {}, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }],
  [['--ulimit', 'nofile=1024:2048', 'busybox'], {}, { Ulimits: [{ Name: 'nofile', Hard: 2048, Soft: 1024 }] }],
  [['--tmpfs', '/run:size=10m', 'busybox'], {}, { Tmpfs: { '/run': 'size=10m' } }],
  [['--init', '--read-only', '--privileged', '--oom-kill-disable', 'busybox'], {}, { Init: true, ReadonlyRootfs: true, Privileged: true, OomKillDisable: true }],
  [['--security-opt', 'no-new-privileges', 'busybox'], {}, { SecurityOpt: ['no-new-privileges'] }],
  [['--cap-add', 'net_admin', '--cap-drop', 'ALL', 'busybox'], {}, { CapAdd: ['CAP_NET_ADMIN'], CapDrop: ['ALL'] }],
  [['--pids-limit', '10', '-c', '512', '--cpuset-cpus', '0', 'busybox'], {}, { PidsLimit: 10, CpuShares: 512, CpusetCpus: '0' }],
  [['--rm', '--network', 'host', 'busybox'], {}, { AutoRemove: true, NetworkMode: 'host' }],
  [['--health-cmd', 'true', '--health-interval', '5s', 'busybox'], { Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5000000000 } }, {}],
  [['--health-timeout', '1m', '--health-retries', '2', '--health-start-period', '1s', 'busybox'], { Healthcheck: { Timeout: 60000000000, StartPeriod: 1000000000, Retries: 2 } }, {}],
  [['--no-healthcheck', 'busybox'], { Healthcheck: { Test: ['NONE'] } }, {}],
  [['-it', '-u', '1000', '-w', '/tmp', '-h', 'hh', '--entrypoint', '/bin/sh', 'busybox'], { Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, User: '1000', WorkingDir: '/tmp', Hostname: 'hh', Entrypoint: ['/bin/sh'] }, {}],
  [['--stop-signal', 'SIGUSR1', '--stop-timeout', '5', '-e', 'A=1', '-e', 'HOME', '-l', 'x=y', 'busybox', 'echo', 'hi'], { StopSignal: 'SIGUSR1', StopTimeout: 5, Env: ['A=1', 'HOME=/root'], Labels: { x: 'y' }, Cmd: ['echo', 'hi'] }, {}],
  [['-p', '8080:80', '-v', '/a:/b', '-v', '/data', 'busybox'], { ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} } }, { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, Binds: ['/a:/b'] }],
];

for (const [argv, config, host] of cases) {
  test(`create request for ${argv.join(' ')}`, () => {
    const body = request(argv) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) assert.deepEqual(body[key], value, key);
    for (const [key, value] of Object.entries(host)) assert.deepEqual((body.HostConfig as Record<string, unknown>)[key], value, `HostConfig.${key}`);
  });
}

test('attach defaults: stdout and stderr unless -a says otherwise', () => {
  const body = request(['busybox']);
  assert.equal(body.AttachStdout, true);
  assert.equal(body.AttachStderr, true);
  assert.equal(body.AttachStdin, false);
  assert.equal(request(['-a', 'stdout', 'busybox']).AttachStderr, false);
});

test('invalid values fail with docker messages', () => {
  const parse = (argv: string[]) => parseFlags(argv, [...CONTAINER_FLAGS, ...RUN_ONLY_FLAGS], false);
  assert.throws(() => parse(['-m', '1x', 'busybox']), /invalid argument "1x" for "-m, --memory" flag: invalid suffix: 'x'/);
  assert.throws(() => parse(['--cpus', 'abc', 'busybox']), /failed to parse abc as a rational number/);
  assert.throws(() => parse(['--ulimit', 'foo=1', 'busybox']), /invalid ulimit type: foo/);
  assert.throws(() => parse(['--health-interval', '5x', 'busybox']), /time: unknown unit "x" in duration "5x"/);
  assert.throws(() => request(['--restart', 'on-failure:x', 'busybox']), /invalid restart policy format: maximum retry count must be an integer/);
  assert.throws(() => request(['--rm', '--restart', 'always', 'busybox']), /conflicting options: cannot specify both --restart and --rm/);
  assert.throws(() => request(['--health-interval', '-5s', 'busybox']), /--health-interval cannot be negative/);
  assert.throws(() => request(['--no-healthcheck', '--health-cmd', 'x', 'busybox']), /conflicts with --health-\* options/);
});

test('endpoint options go on the network mode endpoint, links only on a user-defined one (as docker CLI 28 sends them)', () => {
  const user = request(['--network', 'mynet', '--link', 'a:b', '--ip', '10.0.0.5', '--ip6', 'fd00::5', '--network-alias', 'al', '--link-local-ip', '169.254.1.1', '--mac-address', '02:42:ac:11:00:09', 'busybox']);
  assert.deepEqual(user.NetworkingConfig, {
    EndpointsConfig: { mynet: { IPAMConfig: { IPv4Address: '10.0.0.5', IPv6Address: 'fd00::5', LinkLocalIPs: ['169.254.1.1'] }, Links: ['a:b'], Aliases: ['al'], MacAddress: '02:42:ac:11:00:09' } },
  });
  assert.deepEqual(user.HostConfig.Links, ['a:b']);
  const bridge = request(['--link', 'a:b', 'busybox']);
  assert.deepEqual(bridge.NetworkingConfig, { EndpointsConfig: { default: {} } });
  assert.deepEqual(request(['--network', 'container:x', 'busybox']).NetworkingConfig, { EndpointsConfig: {} });
});
