/**
 * IPv6 dual stack through berthd and the real docker CLI: user networks with
 * an IPv6 subnet, --ip6, AAAA answers of the embedded DNS, ports published
 * on [::1] and [::], the default bridge with --ipv6 --fixed-cidr-v6, and the
 * ip6tables rules and routes that must go with the network. Shapes and
 * errors are compared with a private dockerd 20.10. Traffic goes only to
 * loopback, the host's own addresses and the test's containers.
 *
 * Every subnet is a ULA derived from the test process's pid, so parallel
 * runs and other daemons on the host never share one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainPrefixFor } from '../../src/daemon/daemon.js';
import { busyboxRootfs, dockerdSkipReason, DOCKER_CLI, onEachTarget, ReferenceDockerd, TestDaemon, waitForValue, type RunResult } from './harness.js';

const tag = (process.pid % 0xffff).toString(16);
const BRIDGE_V6 = `fd42:${tag}:1::/64`;
const USER_V6 = `fd42:${tag}:10::/64`;
const USER_V4 = `10.${(process.pid % 180) + 20}.${(process.pid >> 8) % 250}.0/24`;
/** daemon.json default-address-pools: one IPv4 and one IPv6 entry. */
const POOL_V4 = `10.${200 + (process.pid % 50)}.0.0/16`;
const POOL_V6 = `fd42:${tag}:100::/56`;

function ipv6Disabled(): string | undefined {
  const r = spawnSync('sysctl', ['-n', 'net.ipv6.conf.all.disable_ipv6', 'net.ipv6.conf.lo.disable_ipv6'], { encoding: 'utf8' });
  return r.stdout.split('\n').some((v) => v.trim() === '1') ? 'IPv6 is disabled on this host' : undefined;
}

/** GET a URL, retrying while the server comes up; '' if it never answers. */
async function get(url: string): Promise<string> {
  return waitForValue(`GET ${url}`, async () => (await fetch(url).then((r) => r.text(), () => '')) || undefined, 10_000).catch(() => '');
}

/** Rules of our own daemon's chains (named after its bridge) in one ip6tables table: other daemons may share the host. */
function ownRules6(bridge: string, table: 'nat' | 'filter'): string[] {
  const prefix = chainPrefixFor(bridge);
  return spawnSync('ip6tables', ['-w', '-t', table, '-S'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith(`-A ${prefix}`));
}

function ok(r: RunResult): string {
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

describe('IPv6 dual stack through berthd', { skip: (!DOCKER_CLI && 'docker CLI not installed') || ipv6Disabled() }, () => {
  let daemon: TestDaemon;
  let www = '';
  const docker = (...args: string[]) => daemon.docker(args);

  before(async () => {
    www = await mkdtemp(join(tmpdir(), 'berth-www6-'));
    await writeFile(join(www, 'index.html'), 'hello over v6\n');
    daemon = await TestDaemon.start(['--ipv6', '--fixed-cidr-v6', BRIDGE_V6], {
      'default-address-pools': [{ base: POOL_V4, size: 24 }, { base: POOL_V6, size: 64 }],
    });
    ok(docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest'));
  });
  after(async () => {
    await daemon?.stop();
    await rm(www, { recursive: true, force: true });
  });

  test('a dual-stack user network: both families, inspect shapes, --ip6', () => {
    ok(docker('network', 'create', '--ipv6', '--subnet', USER_V4, '--subnet', USER_V6, 'dual'));
    const net = JSON.parse(ok(docker('network', 'inspect', 'dual')))[0];
    assert.equal(net.EnableIPv6, true);
    assert.deepEqual(net.IPAM.Config.map((c: { Subnet: string }) => c.Subnet), [USER_V4, USER_V6]);

    ok(docker('run', '-d', '--name', 'web6', '--network', 'dual', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-h', '/www'));
    ok(docker('run', '-d', '--name', 'fixed6', '--network', 'dual', '--ip6', USER_V6.replace('::/64', '::99'), 'busybox', 'sleep', '300'));
    const settings = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings.Networks.dual}}', 'web6')));
    assert.equal(settings.GlobalIPv6Address, USER_V6.replace('::/64', '::2'));
    assert.equal(settings.GlobalIPv6PrefixLen, 64);
    assert.equal(settings.IPv6Gateway, USER_V6.replace('::/64', '::1'));
    assert.match(settings.IPAddress, /^10\./);
    const fixed = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings.Networks.dual}}', 'fixed6')));
    assert.deepEqual(fixed.IPAMConfig, { IPv6Address: USER_V6.replace('::/64', '::99') });
    assert.equal(fixed.GlobalIPv6Address, USER_V6.replace('::/64', '::99'));
    const members = JSON.parse(ok(docker('network', 'inspect', '-f', '{{json .Containers}}', 'dual')));
    assert.ok(Object.values(members).some((m) => (m as { IPv6Address: string }).IPv6Address === `${USER_V6.replace('::/64', '::99')}/64`));

    // berth's own CLI sends --ip6 as the docker CLI does.
    const viaBerth = ok(daemon.berth(['run', '--rm', '--network', 'dual', '--ip6', USER_V6.replace('::/64', '::55'), 'busybox', 'ip', '-6', 'addr', 'show', 'eth0']));
    assert.match(viaBerth, new RegExp(`inet6 ${USER_V6.replace('::/64', '::55')}/64`));
    const inside = ok(docker('exec', 'fixed6', 'sh', '-c', 'ip -6 addr show eth0; ip -6 route; cat /etc/hosts'));
    assert.match(inside, new RegExp(`inet6 ${USER_V6.replace('::/64', '::99')}/64 scope global`));
    assert.match(inside, new RegExp(`^default via ${USER_V6.replace('::/64', '::1')} dev eth0`, 'm'));
    assert.match(inside, new RegExp(`^${USER_V6.replace('::/64', '::99')}\\s`, 'm'), 'its own IPv6 line in /etc/hosts');
  });

  test('containers talk over IPv6, found by AAAA lookups of the embedded DNS', () => {
    const web = USER_V6.replace('::/64', '::2');
    const aaaa = ok(docker('exec', 'fixed6', 'nslookup', '-type=AAAA', 'web6'));
    assert.match(aaaa, new RegExp(`Address:\\s+${web}`));
    assert.doesNotMatch(aaaa, /NXDOMAIN|can't find/);
    ok(docker('exec', 'fixed6', 'ping6', '-c', '1', '-W', '3', 'web6'));
    assert.equal(ok(docker('exec', 'fixed6', 'wget', '-qO-', `http://[${web}]/index.html`)), 'hello over v6');
  });

  test('published ports answer on [::1] and on the host\'s IPv6 addresses; inspect shows [::] bindings', async () => {
    ok(docker('run', '-d', '--name', 'pub6', '--network', 'dual', '-p', '[::1]::80', '-p', '80', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-h', '/www'));
    const ports = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings.Ports}}', 'pub6')))['80/tcp'] as Array<{ HostIp: string; HostPort: string }>;
    assert.deepEqual(ports.map((p) => p.HostIp).sort(), ['0.0.0.0', '::', '::1']);
    const loop6 = ports.find((p) => p.HostIp === '::1')!.HostPort;
    const any = ports.find((p) => p.HostIp === '::')!;
    assert.equal(ports.find((p) => p.HostIp === '0.0.0.0')!.HostPort, any.HostPort, 'one port for both families');
    assert.equal(await get(`http://[::1]:${loop6}/index.html`), 'hello over v6\n');
    assert.equal(await get(`http://[::1]:${any.HostPort}/index.html`), 'hello over v6\n');
    assert.equal(await get(`http://127.0.0.1:${any.HostPort}/index.html`), 'hello over v6\n');
    assert.match(ok(docker('port', 'pub6')), new RegExp(`^80/tcp -> \\[::1\\]:${loop6}$`, 'm'));
    // The host's own global IPv6 address goes through the ip6tables DNAT (OUTPUT chain), not the proxy.
    const hostAddr = /inet6 ([0-9a-f:]+)\/\d+ scope global/.exec(spawnSync('ip', ['-6', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' }).stdout)?.[1];
    if (hostAddr && !hostAddr.startsWith(`fd42:${tag}:`)) assert.equal(await get(`http://[${hostAddr}]:${any.HostPort}/index.html`), 'hello over v6\n');
    const dnat = ownRules6(daemon.bridge, 'nat');
    assert.ok(dnat.some((r) => r.includes(`--dport ${any.HostPort} -j DNAT --to-destination [${USER_V6.replace('::/64', '::')}`)), dnat.join('\n'));
  });

  test('the default bridge with --ipv6 --fixed-cidr-v6: MAC-derived addresses, IPv6 default route', () => {
    const out = ok(docker('run', '--rm', 'busybox', 'sh', '-c', 'cat /sys/class/net/eth0/address; ip -6 addr show eth0; ip -6 route'));
    const mac = out.split('\n')[0]!.split(':');
    const suffix = `${Number.parseInt(mac[0]! + mac[1]!, 16).toString(16)}:${Number.parseInt(mac[2]! + mac[3]!, 16).toString(16)}:${Number.parseInt(mac[4]! + mac[5]!, 16).toString(16)}`;
    assert.match(out, new RegExp(`inet6 fd42:${tag}:1::${suffix}/64 scope global`));
    assert.match(out, new RegExp(`^default via fd42:${tag}:1::1 dev eth0`, 'm'));
    const bridge = JSON.parse(ok(docker('network', 'inspect', 'bridge')))[0];
    assert.equal(bridge.EnableIPv6, true);
    assert.ok(bridge.IPAM.Config.some((c: { Subnet: string }) => c.Subnet === BRIDGE_V6));
    const nat = ownRules6(daemon.bridge, 'nat');
    assert.ok(nat.some((r) => r.includes(`-s ${BRIDGE_V6} ! -o ${daemon.bridge} -j MASQUERADE`)), nat.join('\n'));
  });

  test('the IPv6 entries of default-address-pools serve --ipv6 without a subnet', () => {
    ok(docker('network', 'create', '--ipv6', 'auto6'));
    const net = JSON.parse(ok(docker('network', 'inspect', 'auto6')))[0];
    assert.deepEqual(net.IPAM.Config.map((c: { Subnet: string }) => c.Subnet), [POOL_V4.replace('0.0/16', '0.0/24'), `fd42:${tag}:100::/64`]);
    ok(docker('network', 'rm', 'auto6'));
  });

  test('a default-bridge container: top-level IPv6 fields; network connect --ip6 adds a second address', () => {
    ok(docker('run', '-d', '--name', 'b6', 'busybox', 'sleep', '300'));
    const top = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings}}', 'b6')));
    assert.match(top.GlobalIPv6Address, new RegExp(`^fd42:${tag}:1::242:`));
    assert.equal(top.GlobalIPv6PrefixLen, 64);
    assert.equal(top.IPv6Gateway, `fd42:${tag}:1::1`);
    assert.equal(top.Networks.bridge.GlobalIPv6Address, top.GlobalIPv6Address);
    const extra = USER_V6.replace('::/64', '::77');
    ok(docker('network', 'connect', '--ip6', extra, 'dual', 'b6'));
    const e = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings.Networks.dual}}', 'b6')));
    assert.deepEqual([e.IPAMConfig, e.GlobalIPv6Address], [{ IPv6Address: extra }, extra]);
    const inside = ok(docker('exec', 'b6', 'sh', '-c', 'ip -6 addr show eth1; ip -6 route'));
    assert.match(inside, new RegExp(`inet6 ${extra}/64 scope global`));
    assert.match(inside, new RegExp(`^default via fd42:${tag}:1::1 dev eth0`, 'm'), 'the first network keeps the default route');
    ok(docker('exec', 'b6', 'ping6', '-c', '1', '-W', '3', USER_V6.replace('::/64', '::2')));
    ok(docker('rm', '-f', 'b6'));
  });

  test('after a berthd restart the IPv6 addresses, [::1] ports and AAAA answers are still there', async () => {
    const ports = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings.Ports}}', 'pub6')))['80/tcp'] as Array<{ HostIp: string; HostPort: string }>;
    const loop6 = ports.find((p) => p.HostIp === '::1')!.HostPort;
    assert.equal(await daemon.kill('SIGTERM'), 0);
    await daemon.launch(['--ipv6', '--fixed-cidr-v6', BRIDGE_V6]);
    assert.equal(await get(`http://[::1]:${loop6}/index.html`), 'hello over v6\n');
    const e = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings.Networks.dual}}', 'web6')));
    assert.equal(e.GlobalIPv6Address, USER_V6.replace('::/64', '::2'));
    assert.match(ok(docker('exec', 'fixed6', 'nslookup', '-type=AAAA', 'web6')), new RegExp(`Address:\\s+${USER_V6.replace('::/64', '::2')}`));
    // The restored pool knows its addresses: a new container does not get web6's.
    ok(docker('run', '-d', '--name', 'late6', '--network', 'dual', 'busybox', 'sleep', '300'));
    const late = JSON.parse(ok(docker('inspect', '-f', '{{json .NetworkSettings.Networks.dual}}', 'late6'))).GlobalIPv6Address;
    assert.ok(![USER_V6.replace('::/64', '::2'), USER_V6.replace('::/64', '::99')].includes(late), late);
    ok(docker('rm', '-f', 'late6'));
  });

  test('removing the network takes its ip6tables rules and IPv6 route along', () => {
    const v6 = USER_V6.replace('/64', '');
    assert.ok(ownRules6(daemon.bridge, 'nat').some((r) => r.includes(USER_V6)));
    ok(docker('rm', '-f', 'web6', 'fixed6', 'pub6'));
    ok(docker('network', 'rm', 'dual'));
    const left = [...ownRules6(daemon.bridge, 'nat'), ...ownRules6(daemon.bridge, 'filter')].filter((r) => r.includes(v6.slice(0, -1)));
    assert.deepEqual(left, []);
    assert.doesNotMatch(spawnSync('ip', ['-6', 'route', 'show'], { encoding: 'utf8' }).stdout, new RegExp(`^${v6}`, 'm'));
  });
});

describe('IPv6 shapes and errors: berthd beside dockerd 20.10', { skip: dockerdSkipReason() || ipv6Disabled() }, () => {
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  const targets = () => [{ name: 'berthd', docker: (a: string[]) => berthd.docker(a) }, { name: 'dockerd', docker: (a: string[]) => dockerd.docker(a) }];

  before(async () => {
    [berthd, dockerd] = await Promise.all([TestDaemon.start(), ReferenceDockerd.start()]);
    const tar = await busyboxRootfs();
    for (const t of targets()) ok(t.docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']));
  });
  after(async () => {
    // dockerd leaves a user network's bridge behind when it stops: remove the network first.
    for (const t of dockerd ? targets() : []) {
      t.docker(['rm', '-f', 'dual1', 'wants6', 'off6']);
      t.docker(['network', 'rm', 'v6side', 'v4only', 'v6off']);
    }
    await Promise.all([berthd?.stop(), dockerd?.stop()]);
    // dockerd has been seen to drop a network's record but keep its bridge: whatever carries this test's own prefix goes.
    for (const bridge of bridgesWithAddress(`fd42:${tag}:`)) spawnSync('ip', ['link', 'del', bridge]);
  });

  test('--ipv6 without a subnet, --ip6 that is no address, --ip6 outside the subnet', async () => {
    await onEachTarget(targets(), async ({ docker }) => {
      const none = docker(['network', 'create', '--ipv6', 'nosubnet']);
      assert.notEqual(none.code, 0);
      assert.match(none.stderr, /could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network/);
      ok(docker(['network', 'create', '--ipv6', '--subnet', `fd42:${tag}:20::/64`, 'v6side']));
      const bad = docker(['create', '--network', 'v6side', '--ip6', 'zzz', 'busybox', 'true']);
      assert.match(bad.stderr, /invalid IPv6 address: zzz/);
      const foreign = docker(['run', '--rm', '--network', 'v6side', '--ip6', `fd42:${tag}:ff::5`, 'busybox', 'true']);
      assert.notEqual(foreign.code, 0);
      assert.match(foreign.stderr, new RegExp(`Invalid address fd42:${tag}:ff::5: It does not belong to any of this network's subnets`));
      const two = docker(['network', 'create', '--ipv6', '--subnet', `fd42:${tag}:21::/64`, '--subnet', `fd42:${tag}:22::/64`, 'two6']);
      assert.match(two.stderr, /bridge driver doesn't support multiple subnets/);
    });
  });

  test('--ip6 on a network without an IPv6 subnet fails at start; with IPv6 off it is kept but not given', async () => {
    await onEachTarget(targets(), async ({ docker }) => {
      ok(docker(['network', 'create', '--subnet', `10.${(process.pid % 180) + 20}.251.0/24`, 'v4only']));
      ok(docker(['create', '--name', 'wants6', '--network', 'v4only', '--ip6', `fd42:${tag}:30::5`, 'busybox', 'true']));
      const start = docker(['start', 'wants6']);
      assert.match(start.stderr, /user specified IP address is supported only when connecting to networks with user configured subnets/);
      ok(docker(['network', 'create', '--subnet', `fd42:${tag}:31::/64`, 'v6off']));
      ok(docker(['run', '-d', '--name', 'off6', '--network', 'v6off', '--ip6', `fd42:${tag}:31::5`, 'busybox', 'sleep', '300']));
      const e = JSON.parse(ok(docker(['inspect', '-f', '{{json .NetworkSettings.Networks.v6off}}', 'off6'])));
      assert.deepEqual([e.IPAMConfig, e.GlobalIPv6Address], [{ IPv6Address: `fd42:${tag}:31::5` }, '']);
      ok(docker(['rm', '-f', 'wants6', 'off6']));
      ok(docker(['network', 'rm', 'v4only', 'v6off']));
    });
  });

  test('a dual-stack endpoint has the same fields and values in both', async () => {
    const seen: Record<string, unknown>[] = [];
    await onEachTarget(targets(), async ({ docker }) => {
      ok(docker(['run', '-d', '--name', 'dual1', '--network', 'v6side', '--ip6', `fd42:${tag}:20::7`, 'busybox', 'sleep', '300']));
      const e = JSON.parse(ok(docker(['inspect', '-f', '{{json .NetworkSettings.Networks.v6side}}', 'dual1'])));
      seen.push({ IPAMConfig: e.IPAMConfig, GlobalIPv6Address: e.GlobalIPv6Address, GlobalIPv6PrefixLen: e.GlobalIPv6PrefixLen, IPv6Gateway: e.IPv6Gateway });
      const net = JSON.parse(ok(docker(['network', 'inspect', 'v6side'])))[0];
      assert.equal(net.EnableIPv6, true);
      assert.equal(net.IPAM.Config.length, 2, 'an IPv4 pool is picked beside the IPv6 one');
      assert.deepEqual(net.IPAM.Config[1], { Subnet: `fd42:${tag}:20::/64` }, 'a configured pool is shown as given');
      const member = Object.values(net.Containers)[0] as { IPv6Address: string };
      assert.equal(member.IPv6Address, `fd42:${tag}:20::7/64`);
      ok(docker(['rm', '-f', 'dual1']));
    });
    assert.deepEqual(seen[0], seen[1]);
  });
});

/** Bridges (br-*) holding an IPv6 address that starts with `prefix`. */
function bridgesWithAddress(prefix: string): string[] {
  const lines = spawnSync('ip', ['-6', '-o', 'addr', 'show'], { encoding: 'utf8' }).stdout.split('\n');
  const names = lines.filter((l) => l.includes(` inet6 ${prefix}`)).map((l) => l.split(/\s+/)[1] ?? '');
  return [...new Set(names.filter((n) => n.startsWith('br-')))];
}
