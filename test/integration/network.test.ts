/**
 * Networking through berthd and the real docker CLI: -P publishing,
 * container: mode, links, --internal, macvlan, and published ports that come
 * back after a berthd restart. Traffic goes only to loopback and to the
 * containers' own addresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, DOCKER_CLI, TestDaemon, waitForValue } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET http://127.0.0.1:port/index.html, retrying while the server comes up. */
async function get(port: number): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const body = await fetch(`http://127.0.0.1:${port}/index.html`).then((r) => r.text(), () => '');
    if (body !== '') return body;
    await sleep(100);
  }
  return '';
}

describe('networking through berthd', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  const docker = (...args: string[]) => daemon.docker(args);
  const parent = `vmp${process.pid % 100000}`;
  let www = '';

  before(async () => {
    www = await mkdtemp(join(tmpdir(), 'berth-www-'));
    await writeFile(join(www, 'index.html'), 'hello from www\n');
    daemon = await TestDaemon.start();
    assert.equal(docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest').code, 0);
  });
  after(async () => {
    await daemon?.stop();
    spawnSync('ip', ['link', 'del', parent]);
    await rm(www, { recursive: true, force: true });
  });

  test('-P publishes every exposed port on an ephemeral port, shown by port and ps, and serves', async () => {
    const all = docker('run', '-d', '--name', 'exposer', '--expose', '80', '--expose', '7001/udp', '-P', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-h', '/www');
    assert.equal(all.code, 0, all.stderr);
    const ports = docker('port', 'exposer').stdout;
    assert.match(ports, /^80\/tcp -> 0\.0\.0\.0:\d+$/m);
    assert.match(ports, /^7001\/udp -> 0\.0\.0\.0:\d+$/m);
    assert.match(docker('ps', '--filter', 'name=exposer', '--format', '{{.Ports}}').stdout, /0\.0\.0\.0:\d+->80\/tcp/);
    const port = Number(/^80\/tcp -> 0\.0\.0\.0:(\d+)$/m.exec(ports)![1]);
    assert.equal(await get(port), 'hello from www\n');
  });

  test('container: mode shares the network namespace; --link gives hosts and env', () => {
    docker('run', '-d', '--name', 'owner', 'busybox', 'sleep', '300');
    const ip = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'owner').stdout.trim();
    assert.match(ip, /^172\.31\.\d+\.\d+$/);
    const shared = docker('run', '--rm', '--network', 'container:owner', 'busybox', 'ip', '-4', 'addr', 'show', 'eth0');
    assert.match(shared.stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
    docker('run', '-d', '--name', 'db', '--expose', '5432', '-e', 'SECRET=s3', 'busybox', 'sleep', '300');
    const linked = docker('run', '--rm', '--link', 'db:database', 'busybox', 'sh', '-c', 'env; cat /etc/hosts');
    assert.match(linked.stdout, /^DATABASE_PORT_5432_TCP_PORT=5432$/m);
    assert.match(linked.stdout, /^DATABASE_ENV_SECRET=s3$/m);
    assert.match(linked.stdout, /\sdatabase(\s|$)/m);
    assert.equal(docker('run', '--rm', '--link', 'db:database', 'busybox', 'ping', '-c', '1', '-W', '2', 'database').code, 0);
  });

  test('--internal networks have no default route', () => {
    assert.equal(docker('network', 'create', '--internal', 'sealed').code, 0);
    const routes = docker('run', '--rm', '--network', 'sealed', 'busybox', 'ip', 'route');
    assert.equal(routes.code, 0, routes.stderr);
    assert.doesNotMatch(routes.stdout, /^default/m);
    assert.equal(docker('network', 'rm', 'sealed').code, 0);
  });

  test('macvlan: two containers on a parent interface reach each other', () => {
    // The kernel here has no dummy driver: one end of a veth pair the test makes is the parent.
    assert.equal(spawnSync('ip', ['link', 'add', parent, 'type', 'veth', 'peer', 'name', `${parent}p`]).status, 0);
    spawnSync('ip', ['link', 'set', parent, 'up']);
    spawnSync('ip', ['link', 'set', `${parent}p`, 'up']);
    const created = docker('network', 'create', '-d', 'macvlan', '-o', `parent=${parent}`, '--subnet', '10.250.77.0/24', 'mv');
    assert.equal(created.code, 0, created.stderr);
    docker('run', '-d', '--name', 'mv1', '--network', 'mv', '--ip', '10.250.77.10', 'busybox', 'sleep', '300');
    const ping = docker('run', '--rm', '--network', 'mv', '--ip', '10.250.77.11', 'busybox', 'ping', '-c', '1', '-W', '2', '10.250.77.10');
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    docker('rm', '-f', 'mv1');
    assert.equal(docker('network', 'rm', 'mv').code, 0);
  });

  test('published ports and DNS come back after berthd restarts', async () => {
    docker('network', 'create', 'again');
    docker('run', '-d', '--name', 'named', '--network', 'again', 'busybox', 'sleep', '300');
    const port = 30000 + (process.pid % 20000);
    const web = docker('run', '-d', '--name', 'survivorweb', '-p', `127.0.0.1:${port}:80`, '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-h', '/www');
    assert.equal(web.code, 0, web.stderr);
    assert.equal(await get(port), 'hello from www\n');
    assert.equal(await daemon.kill('SIGTERM'), 0);
    await daemon.launch();
    assert.equal(await get(port), 'hello from www\n');
    const lookup = docker('run', '--rm', '--network', 'again', 'busybox', 'nslookup', 'named');
    assert.match(lookup.stdout, /Address: \d+\.\d+\.\d+\.\d+/, lookup.stdout + lookup.stderr);
  });

  test('--iptables=false: containers on the bridge still talk, and the daemon adds no iptables rules', async () => {
    const other = await TestDaemon.start(['--iptables=false']);
    try {
      other.docker(['import', await busyboxRootfs(), 'bb:1']);
      other.docker(['run', '-d', '--name', 'peer', 'bb:1', 'sleep', '300']);
      const ip = other.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'peer']).stdout.trim();
      assert.equal(other.docker(['run', '--rm', 'bb:1', 'ping', '-c', '1', '-W', '2', ip]).code, 0);
      const prefix = `B-${other.bridge.toUpperCase()}`;
      const rules = spawnSync('sh', ['-c', 'iptables -S; iptables -t nat -S'], { encoding: 'utf8' }).stdout;
      assert.doesNotMatch(rules, new RegExp(prefix), 'no chains of this daemon');
    } finally {
      await other.stop();
    }
  });

  test('removing everything leaves no interfaces, namespaces or rules of this daemon', async () => {
    // Other daemons may run on this host: look only at what this daemon made.
    const ids = docker('ps', '-aq', '--no-trunc').stdout.trim().split('\n').filter(Boolean);
    const networkIds = docker('network', 'ls', '-q', '--no-trunc', '--filter', 'name=again').stdout.trim().split('\n').filter(Boolean);
    if (ids.length) assert.equal(docker('rm', '-f', ...ids).code, 0);
    for (const n of ['again']) docker('network', 'rm', n);
    // The host ends of the veths go a moment after the answer, as with dockerd.
    const onBridge = () => spawnSync('ip', ['-o', 'link', 'show', 'master', daemon.bridge], { encoding: 'utf8' }).stdout.trim();
    await waitForValue('no container veth left on this daemon\'s bridge', async () => (onBridge() === '' ? true : undefined), 30_000).catch(() => assert.equal(onBridge(), ''));
    const links = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout;
    for (const id of networkIds) assert.doesNotMatch(links, new RegExp(`br-${id.slice(0, 12)}`), 'no user network bridge left');
    const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const id of ids) assert.doesNotMatch(namespaces, new RegExp(id.slice(0, 12)), 'no network namespace left');
  });
});
