/**
 * The compose model → container matrix: one project using most service
 * attributes is brought up with `berth compose up -d`, and each attribute is
 * checked through `inspect` (and a few through `exec`). The same project,
 * minus what needs berthd-only setup (IPv6), runs against a private dockerd
 * 20.10, proving the create bodies are the ones the reference engine takes.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, run, TestDaemon, type RunResult } from './harness.js';

const PROJECT = 'cmodel';
const LOOP = ['sh', '-c', "trap 'exit 0' TERM USR1; while true; do sleep 1; done"];

/** Two consecutive host ports nothing listens on. */
async function freePortPair(): Promise<number> {
  const listen = (port: number) => new Promise<boolean>((resolve) => {
    const server = createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if ((await listen(port)) && (await listen(port + 1))) return port;
  }
}

function composeFile(port: number, ipv6: boolean): Record<string, unknown> {
  const base = {
    image: 'busybox:latest',
    entrypoint: ['/bin/sh', '-c'],
    command: ["trap 'exit 0' TERM USR1; while true; do sleep 1; done"],
    init: true,
    stop_signal: 'SIGUSR1',
    stop_grace_period: '7s',
    ipc: 'shareable',
    hostname: 'basehost',
    domainname: 'example.test',
    user: '0:0',
    working_dir: '/tmp',
    labels: { 'org.example.role': 'base' },
    env_file: ['./one.env', { path: './two.env' }, { path: './missing.env', required: false }],
    environment: { FROM_ENV: 'inline' },
    extra_hosts: ['db.example:10.9.9.9'],
    dns: ['10.0.0.53'],
    dns_search: 'search.example',
    cap_add: ['NET_ADMIN'],
    cap_drop: ['MKNOD'],
    security_opt: ['no-new-privileges:true'],
    group_add: ['1234'],
    shm_size: '32m',
    ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 512 },
    sysctls: ['net.core.somaxconn=1024'],
    tmpfs: ['/run/t1', '/run/t2:size=1m'],
    devices: ['/dev/null:/dev/mynull:rwm'],
    logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': 2 } },
    ports: [`127.0.0.1:${port}-${port + 1}:8000-8001`, { target: 9000, protocol: 'udp' }],
    healthcheck: { test: 'true', interval: '30s', timeout: '5s', retries: 4, start_period: '2s' },
    deploy: { resources: { limits: { cpus: '0.5', memory: '64m', pids: 100 }, reservations: { memory: '32m' } }, restart_policy: { condition: 'on-failure', max_attempts: 3 } },
    configs: ['app_conf'],
    secrets: ['token', { source: 'token', target: 'renamed' }],
    volumes: [
      'data:/data',
      'ext:/ext:ro',
      './bindsrc:/bind',
      { type: 'bind', source: './bindsrc', target: '/bind-ro', read_only: true },
      { type: 'bind', source: './exists', target: '/nocreate', bind: { create_host_path: false } },
      { type: 'volume', source: 'data', target: '/nocopy', volume: { nocopy: true } },
      { type: 'tmpfs', target: '/scratch', tmpfs: { size: '2m' } },
    ],
    networks: { front: { aliases: ['base-alias'], ipv4_address: '172.29.7.10', ...(ipv6 ? { ipv6_address: 'fd00:29:7::10' } : {}) }, default: null },
    mac_address: '02:42:ac:1d:07:0a',
  };
  return {
    name: PROJECT,
    services: {
      base,
      sidecar: { image: 'busybox:latest', command: LOOP, network_mode: 'service:base', pid: 'service:base', ipc: 'service:base', restart: 'unless-stopped', read_only: true },
      rep: { image: 'busybox:latest', command: LOOP, deploy: { replicas: 2 }, healthcheck: { disable: true }, restart: 'always', container_name: undefined },
      named: { image: 'busybox:latest', command: ['sleep', '300'], container_name: `${PROJECT}-custom`, network_mode: 'none', stop_grace_period: '1s' },
    },
    networks: {
      front: { enable_ipv6: ipv6, ipam: { config: [{ subnet: '172.29.7.0/24', gateway: '172.29.7.1' }, ...(ipv6 ? [{ subnet: 'fd00:29:7::/64' }] : [])] } },
    },
    volumes: { data: {}, ext: { external: true, name: `${PROJECT}-external` } },
    configs: { app_conf: { file: './app.conf' } },
    secrets: { token: { file: './token.txt' } },
  };
}

class Target {
  constructor(readonly name: string, readonly host: string, readonly dir: string) {}

  berth(args: string[]): RunResult {
    return run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', this.host, ...args]);
  }

  compose(args: string[]): RunResult {
    const r = this.berth(['compose', '-f', join(this.dir, 'compose.yaml'), ...args]);
    assert.equal(r.code, 0, `compose ${args.join(' ')} on ${this.name}: ${r.stderr}`);
    return r;
  }

  inspect(name: string): Inspect {
    const r = this.berth(['inspect', '--type', 'container', name]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Inspect[])[0];
  }

  exec(name: string, cmd: string[]): string {
    const r = this.berth(['exec', name, ...cmd]);
    assert.equal(r.code, 0, `exec ${cmd.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inspect = Record<string, any>;

async function writeProject(dir: string, port: number, ipv6: boolean): Promise<void> {
  await mkdir(join(dir, 'bindsrc'), { recursive: true });
  await mkdir(join(dir, 'exists'), { recursive: true });
  await writeFile(join(dir, 'bindsrc', 'hello'), 'bound\n');
  await writeFile(join(dir, 'one.env'), 'ONE=1\nSHARED=from-one\n');
  await writeFile(join(dir, 'two.env'), 'TWO=2\nSHARED=from-two\n');
  await writeFile(join(dir, 'app.conf'), 'conf-body\n');
  await writeFile(join(dir, 'token.txt'), 's3cret\n');
  await writeFile(join(dir, 'compose.yaml'), JSON.stringify(composeFile(port, ipv6)));
}

function checkBase(t: Target, port: number, ipv6: boolean): void {
  const c = t.inspect(`${PROJECT}-base-1`);
  const h = c.HostConfig;
  assert.deepEqual(c.Config.Entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(c.Config.Cmd, ["trap 'exit 0' TERM USR1; while true; do sleep 1; done"]);
  assert.equal(h.Init, true);
  assert.equal(c.Config.StopSignal, 'SIGUSR1');
  assert.equal(c.Config.StopTimeout, 7);
  assert.equal(c.Config.Hostname, 'basehost');
  assert.equal(c.Config.Domainname, 'example.test');
  assert.equal(c.Config.User, '0:0');
  assert.equal(c.Config.WorkingDir, '/tmp');
  assert.equal(c.Config.Labels['org.example.role'], 'base');
  const env = c.Config.Env as string[];
  for (const e of ['ONE=1', 'TWO=2', 'SHARED=from-two', 'FROM_ENV=inline']) assert.ok(env.includes(e), `${e} in ${env.join(' ')}`);
  assert.deepEqual(h.ExtraHosts, ['db.example:10.9.9.9']);
  assert.deepEqual(h.Dns, ['10.0.0.53']);
  assert.deepEqual(h.DnsSearch, ['search.example']);
  assert.deepEqual(h.CapAdd, ['NET_ADMIN']);
  assert.deepEqual(h.CapDrop, ['MKNOD']);
  assert.deepEqual(h.SecurityOpt, ['no-new-privileges:true']);
  assert.deepEqual(h.GroupAdd, ['1234']);
  assert.equal(h.ShmSize, 32 * 1024 * 1024);
  assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 512, Hard: 512 }]);
  assert.deepEqual(h.Sysctls, { 'net.core.somaxconn': '1024' });
  assert.deepEqual(h.Tmpfs, { '/run/t1': '', '/run/t2': 'size=1m' });
  assert.deepEqual(h.Devices, [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rwm' }]);
  assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
  assert.deepEqual(h.PortBindings, {
    '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    '8001/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port + 1) }],
    '9000/udp': [{ HostIp: '', HostPort: '' }],
  });
  assert.deepEqual(c.Config.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 30e9, Timeout: 5e9, StartPeriod: 2e9, Retries: 4 });
  assert.equal(h.NanoCpus, 5e8);
  assert.equal(h.Memory, 64 * 1024 * 1024);
  assert.equal(h.MemoryReservation, 32 * 1024 * 1024);
  assert.equal(h.PidsLimit, 100);
  assert.deepEqual(h.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(h.IpcMode, 'shareable');
  assert.equal(c.Config.MacAddress ?? c.NetworkSettings.Networks[`${PROJECT}_front`].MacAddress, '02:42:ac:1d:07:0a');

  // Mounts: named, external read-only, binds (relative paths resolved), no-create bind, nocopy, tmpfs, configs and secrets.
  assert.deepEqual(h.Binds, [`${t.dir}/bindsrc:/bind:rw`, `${t.dir}/bindsrc:/bind-ro:ro`]);
  const mounts = Object.fromEntries((c.Mounts as Inspect[]).map((m) => [m.Destination, m]));
  assert.equal(mounts['/data'].Name, `${PROJECT}_data`);
  assert.equal(mounts['/ext'].Name, `${PROJECT}-external`);
  assert.equal(mounts['/ext'].RW, false);
  assert.equal(mounts['/bind-ro'].RW, false);
  assert.equal(mounts['/nocreate'].Source, `${t.dir}/exists`);
  assert.equal(mounts['/nocopy'].Name, `${PROJECT}_data`);
  assert.equal(mounts['/myconf'], undefined);
  assert.equal(mounts['/app_conf'].Source, `${t.dir}/app.conf`);
  assert.equal(mounts['/app_conf'].RW, false);
  assert.equal(mounts['/run/secrets/token'].Source, `${t.dir}/token.txt`);
  assert.equal(mounts['/run/secrets/renamed'].RW, false);
  const scratch = (h.Mounts as Inspect[]).find((m) => m.Target === '/scratch');
  assert.deepEqual(scratch?.TmpfsOptions, { SizeBytes: 2 * 1024 * 1024 });
  const nocopy = (h.Mounts as Inspect[]).find((m) => m.Target === '/nocopy');
  assert.equal(nocopy?.VolumeOptions?.NoCopy, true);
  assert.equal(t.exec(`${PROJECT}-base-1`, ['cat', '/run/secrets/token', '/run/secrets/renamed', '/app_conf', '/bind/hello']), 's3cret\ns3cret\nconf-body\nbound\n');

  // Networks: the static address and the alias on the project network with its IPAM config, and the default network too.
  const front = c.NetworkSettings.Networks[`${PROJECT}_front`];
  assert.equal(front.IPAddress, '172.29.7.10');
  assert.ok(front.Aliases.includes('base-alias') && front.Aliases.includes('base'), JSON.stringify(front.Aliases));
  if (ipv6) assert.equal(front.GlobalIPv6Address, 'fd00:29:7::10');
  assert.ok(c.NetworkSettings.Networks[`${PROJECT}_default`], 'also on the default network');
  const net = JSON.parse(t.berth(['network', 'inspect', `${PROJECT}_front`]).stdout)[0];
  assert.equal(net.IPAM.Config[0].Subnet, '172.29.7.0/24');
  assert.equal(net.IPAM.Config[0].Gateway, '172.29.7.1');
  assert.equal(net.EnableIPv6, ipv6);
}

function checkOthers(t: Target): void {
  const base = t.inspect(`${PROJECT}-base-1`);
  const side = t.inspect(`${PROJECT}-sidecar-1`);
  const ref = (mode: string) => [`container:${PROJECT}-base-1`, `container:${base.Id}`].includes(mode);
  assert.ok(ref(side.HostConfig.NetworkMode), side.HostConfig.NetworkMode);
  assert.ok(ref(side.HostConfig.PidMode), side.HostConfig.PidMode);
  assert.ok(ref(side.HostConfig.IpcMode), side.HostConfig.IpcMode);
  assert.deepEqual(side.HostConfig.RestartPolicy, { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.equal(side.HostConfig.ReadonlyRootfs, true);
  assert.equal(side.HostConfig.Privileged, false);
  assert.equal(side.Config.Labels['com.docker.compose.depends_on'], 'base:service_started:true');
  // Sharing base's network namespace, the sidecar sees base's hostname.
  assert.equal(t.exec(`${PROJECT}-sidecar-1`, ['hostname']).trim(), 'basehost');

  for (const n of [1, 2]) {
    const rep = t.inspect(`${PROJECT}-rep-${n}`);
    assert.deepEqual(rep.Config.Healthcheck, { Test: ['NONE'] });
    assert.deepEqual(rep.HostConfig.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
    assert.equal(rep.Config.Labels['com.docker.compose.container-number'], String(n));
  }
  const named = t.inspect(`${PROJECT}-custom`);
  assert.equal(named.HostConfig.NetworkMode, 'none');
  assert.equal(named.Config.StopTimeout, 1);
  assert.equal(named.State.Running, true);
}

async function onTarget(t: Target, ipv6: boolean): Promise<void> {
  assert.equal(t.berth(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']).code, 0);
  assert.equal(t.berth(['volume', 'create', `${PROJECT}-external`]).code, 0);
  const port = await freePortPair();
  await writeProject(t.dir, port, ipv6);
  try {
    const up = t.compose(['up', '-d']);
    assert.match(up.stderr, new RegExp(`Container ${PROJECT}-sidecar-1 +Started|Container ${PROJECT}-sidecar-1 Started`));
    checkBase(t, port, ipv6);
    checkOthers(t);
    // Unchanged: nothing is recreated (the hash of every service is stable).
    const again = t.compose(['up', '-d']).stderr;
    assert.ok(!/Recreate/.test(again), again);
  } catch (err) {
    if (err instanceof Error) err.message = `[${t.name}] ${err.message}`;
    throw err;
  } finally {
    t.berth(['compose', '-f', join(t.dir, 'compose.yaml'), 'down', '-v', '-t', '0']);
    t.berth(['volume', 'rm', `${PROJECT}-external`]);
  }
}

describe('compose model → containers', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-compose-model-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('against berthd', async () => {
    const daemon = await TestDaemon.start();
    try {
      await onTarget(new Target('berthd', daemon.host, dir), true);
    } finally {
      await daemon.stop();
    }
  });

  test('against dockerd 20.10', { skip: dockerdSkipReason() }, async () => {
    const daemon = await ReferenceDockerd.start();
    try {
      await onTarget(new Target('dockerd', daemon.host, dir), false);
    } finally {
      await daemon.stop();
    }
  });
});
