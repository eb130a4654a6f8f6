/**
 * Network and endpoint options side by side with a private dockerd 20.10:
 * CheckDuplicate and names that are not unique, names with spaces,
 * --ip-range / --gateway / --aux-address in IPAM and in allocation, the
 * errors for requested addresses, endpoint DriverOpts and LinkLocalIPs at
 * create and at `network connect` (--alias, --ip, --ip6, --link,
 * --driver-opt, --link-local-ip), through the docker CLI and the berth CLI.
 * Each daemon gets its own subnets, so the two never share a route.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxRootfs, clearContainersAndNetworks, dockerdSkipReason, onEachTarget, ReferenceDockerd, ROOT, run, TestDaemon, type RunResult } from './harness.js';
import { apiOn } from './raw-api.js';

interface Target {
  name: string;
  docker(args: string[]): RunResult;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  /** A /24 of this daemon's own, "10.x.y" (add ".0/24"). */
  net: string;
  /** More /24s of its own, one per case where dockerd may keep a pool reserved after a failed create. */
  spare(i: number): string;
}


const message = (r: { body: string }) => (JSON.parse(r.body) as { message: string }).message;
const base = 200 + (process.pid % 50);

describe('network and endpoint options, berthd side by side with dockerd', { skip: dockerdSkipReason() }, () => {
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  let targets: Target[] = [];

  before(async () => {
    [berthd, dockerd] = await Promise.all([TestDaemon.start(), ReferenceDockerd.start()]);
    targets = [
      { name: 'berthd', docker: (a) => berthd.docker(a), api: apiOn(berthd.socket), net: `10.${base}.1`, spare: (i) => `10.${base}.${40 + i}` },
      { name: 'dockerd', docker: (a) => dockerd.docker(a), api: apiOn(join(dockerd.dir, 'docker.sock')), net: `10.${base}.2`, spare: (i) => `10.${base}.${80 + i}` },
    ];
    const tar = await busyboxRootfs();
    for (const t of targets) assert.equal(t.docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']).code, 0);
  });
  after(async () => {
    for (const t of targets) clearContainersAndNetworks(t.docker);
    await Promise.all([berthd?.stop(), dockerd?.stop()]);
  });

  test('CheckDuplicate false makes a second network of a name; the name then is ambiguous', async () => {
    const seen: Record<string, string[]> = {};
    await onEachTarget(targets, async (t) => {
      const first = await t.api('POST', '/v1.41/networks/create', { Name: 'dup', CheckDuplicate: true });
      assert.equal(first.status, 201, first.body);
      const firstId = (JSON.parse(first.body) as { Id: string }).Id;
      const refused = await t.api('POST', '/v1.41/networks/create', { Name: 'dup', CheckDuplicate: true });
      assert.deepEqual([refused.status, message(refused)], [409, 'network with name dup already exists']);
      const second = await t.api('POST', '/v1.41/networks/create', { Name: 'dup', CheckDuplicate: false });
      assert.equal(second.status, 201, second.body);
      assert.equal((JSON.parse(second.body) as { Warning: string }).Warning, `Network with name dup (id : ${firstId}) already exists`);
      // API 1.41 without the field: dockerd 20.10 does not check.
      const third = await t.api('POST', '/v1.41/networks/create', { Name: 'dup' });
      assert.equal(third.status, 201, third.body);
      const inspect = await t.api('GET', '/networks/dup');
      const remove = await t.api('DELETE', '/networks/dup');
      seen[t.name] = [`${inspect.status} ${message(inspect)}`, `${remove.status} ${message(remove)}`, t.docker(['network', 'rm', 'dup']).stderr];
      assert.deepEqual(seen[t.name]!.slice(0, 2), ['400 3 matches found based on name: network dup is ambiguous', '400 network dup is ambiguous (3 matches found based on name)']);
      const predefined = await t.api('POST', '/networks/create', { Name: 'host' });
      assert.deepEqual([predefined.status, message(predefined)], [403, 'operation is not permitted on predefined host network ']);
      for (const id of t.docker(['network', 'ls', '-q', '--no-trunc', '--filter', 'name=dup']).stdout.split('\n').filter(Boolean)) {
        assert.equal(t.docker(['network', 'rm', id]).code, 0);
      }
    });
    assert.deepEqual(seen.berthd, seen.dockerd);
    // berthd speaks API 1.45: from 1.44 on a missing CheckDuplicate means true (and the docker CLI sends none).
    assert.equal(berthd.docker(['network', 'create', 'once']).code, 0);
    assert.match(berthd.docker(['network', 'create', 'once']).stderr, /network with name once already exists/);
    assert.equal(berthd.docker(['network', 'rm', 'once']).code, 0);
  });

  test('bridge driver options: bad booleans and addresses in dockerd\'s words; enable_ip_masquerade=false is honoured, enable_icc=false refused', async () => {
    for (const t of targets) {
      const bad = await t.api('POST', '/networks/create', { Name: 'badopt', Options: { 'com.docker.network.bridge.enable_icc': 'x' } });
      assert.equal(message(bad), 'failed to parse com.docker.network.bridge.enable_icc value: x (strconv.ParseBool: parsing "x": invalid syntax)', t.name);
      const badIp = await t.api('POST', '/networks/create', { Name: 'badopt', Options: { 'com.docker.network.bridge.host_binding_ipv4': 'nope' } });
      assert.equal(message(badIp), 'failed to parse com.docker.network.bridge.host_binding_ipv4 value: nope (nil ip)', t.name);
    }
    const berth = targets[0]!;
    const natRules = () => spawnSync('iptables', ['-w', '-t', 'nat', '-S'], { encoding: 'utf8' }).stdout;
    const subnets = [`${berth.spare(20)}.0/24`, `${berth.spare(21)}.0/24`];
    assert.equal(berth.docker(['network', 'create', '--subnet', subnets[0]!, '-o', 'com.docker.network.bridge.enable_ip_masquerade=false', 'nomasq']).code, 0);
    assert.equal(berth.docker(['network', 'create', '--subnet', subnets[1]!, 'masq']).code, 0);
    try {
      assert.doesNotMatch(natRules(), new RegExp(`-s ${subnets[0]!.replace(/\./g, '\\.')} .*-j MASQUERADE`));
      assert.match(natRules(), new RegExp(`-s ${subnets[1]!.replace(/\./g, '\\.')} .*-j MASQUERADE`));
    } finally {
      berth.docker(['network', 'rm', 'nomasq', 'masq']);
    }
    const icc = berth.docker(['network', 'create', '-o', 'com.docker.network.bridge.enable_icc=false', 'noicc']);
    assert.equal(icc.code, 1);
    assert.match(icc.stderr, /com\.docker\.network\.bridge\.enable_icc=false is not supported by berth/);
  });

  test('names with spaces, colons and slashes are accepted', async () => {
    await onEachTarget(targets, async (t) => {
      for (const name of ['my net', 'a:b', 'we/ird']) {
        const created = t.docker(['network', 'create', name]);
        assert.equal(created.code, 0, created.stderr);
        assert.equal(t.docker(['network', 'inspect', '-f', '{{.Name}}', created.stdout.trim()]).stdout.trim(), name);
      }
      const r = t.docker(['run', '--rm', '--network', 'my net', 'busybox', 'true']);
      assert.equal(r.code, 0, r.stderr);
      for (const name of ['my net', 'a:b']) assert.equal(t.docker(['network', 'rm', name]).code, 0);
      const id = t.docker(['network', 'ls', '-q', '--no-trunc', '--filter', 'name=ird']).stdout.trim();
      assert.equal(t.docker(['network', 'rm', id]).code, 0);
    });
  });

  test('--ip-range, --gateway and --aux-address: shown in IPAM, honoured in allocation, the bridge has the gateway', async () => {
    const outputs: Record<string, string[]> = {};
    await onEachTarget(targets, async (t) => {
      const created = t.docker(['network', 'create', '--subnet', `${t.net}.0/24`, '--ip-range', `${t.net}.8/30`, '--gateway', `${t.net}.9`, '--aux-address', `router=${t.net}.10`, 'rng']);
      assert.equal(created.code, 0, created.stderr);
      const id = created.stdout.trim();
      const ipam = JSON.parse(t.docker(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'rng']).stdout);
      assert.deepEqual(ipam, [{ Subnet: `${t.net}.0/24`, IPRange: `${t.net}.8/30`, Gateway: `${t.net}.9`, AuxiliaryAddresses: { router: `${t.net}.10` } }]);
      const bridge = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'dev', `br-${id.slice(0, 12)}`], { encoding: 'utf8' }).stdout;
      assert.match(bridge, new RegExp(`inet ${t.net.replaceAll('.', '\\.')}\\.9/24`));
      const addresses: string[] = [];
      for (const n of ['r1', 'r2']) {
        assert.equal(t.docker(['run', '-d', '--name', n, '--network', 'rng', 'busybox', 'sleep', '300']).code, 0);
        addresses.push(t.docker(['inspect', '-f', '{{.NetworkSettings.Networks.rng.IPAddress}} {{.NetworkSettings.Networks.rng.Gateway}}', n]).stdout.trim());
      }
      // The /30 holds .8–.11; .9 is the gateway and .10 auxiliary: two addresses, then none.
      assert.deepEqual(addresses, [`${t.net}.8 ${t.net}.9`, `${t.net}.11 ${t.net}.9`]);
      const mask = (s: string) => s.replaceAll(t.net, 'NET').replaceAll(id, '<id>');
      const full = t.docker(['run', '--rm', '--network', 'rng', 'busybox', 'true']);
      const outside = t.docker(['run', '--rm', '--network', 'rng', '--ip', `${t.net}.100`, 'busybox', 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
      assert.match(outside.stdout, new RegExp(`${t.net.replaceAll('.', '\\.')}\\.100/24`), 'an --ip outside the range but inside the subnet');
      // The container's address and the bridge's, with their broadcast, as dockerd's netlink sets them.
      const addressLine = (out: string) => mask(out.split('\n')[0]!.replace(/^\d+: /, '').replace(/br-[0-9a-f]{12}/g, 'BR').replace(/\s+/g, ' ').split(' valid_lft')[0]!);
      outputs[`${t.name} addresses`] = [addressLine(outside.stdout), addressLine(bridge)];
      outputs[t.name] = [full, ...[`${t.net}.10`, `${t.net}.9`, '10.254.254.1'].map((ip) => t.docker(['run', '--rm', '--network', 'rng', '--ip', ip, 'busybox', 'true']))]
        .map((r) => mask(`${r.code} ${r.stderr.split('\n')[0]}`));
      t.docker(['rm', '-f', 'r1', 'r2']);
      assert.equal(t.docker(['network', 'rm', 'rng']).code, 0);
    });
    assert.deepEqual(outputs.berthd, outputs.dockerd);
    assert.deepEqual(outputs['berthd addresses'], outputs['dockerd addresses']);
    assert.deepEqual(outputs['berthd addresses'], ['eth0 inet NET.100/24 brd NET.255 scope global eth0\\', 'BR inet NET.9/24 brd NET.255 scope global BR\\']);
    assert.match(outputs.berthd![0]!, /no available IPv4 addresses on this network's address pools: rng \(<id>\)/);
  });

  test('pool errors: the docker CLI\'s and the daemon\'s texts; the berth CLI says what the docker CLI says', async () => {
    const cases = (t: Target): Array<{ cli?: string[]; api?: object }> => [
      { cli: ['--subnet', `${t.spare(0)}.0/24`, '--gateway', '10.254.254.1'] },
      { cli: ['--subnet', `${t.spare(1)}.0/24`, '--ip-range', '10.254.254.0/28'] },
      { cli: ['--subnet', `${t.spare(2)}.0/24`, '--aux-address', 'a=10.254.254.1'] },
      { cli: ['--gateway', `${t.spare(3)}.1`] },
      { cli: ['--subnet', 'bogus'] },
      { cli: ['--subnet', `${t.spare(4)}.0/24`, '--gateway', `${t.spare(4)}.0`] },
      { cli: ['--subnet', `${t.spare(5)}.0/24`, '--aux-address', `a=${t.spare(5)}.1`] },
      { api: { Subnet: `${t.spare(6)}.0/24`, Gateway: '10.254.254.1' } },
      { api: { Subnet: `${t.spare(7)}.0/24`, Gateway: 'bogus' } },
      { api: { Subnet: `${t.spare(8)}.0/24`, AuxiliaryAddresses: { a: '10.254.254.1' } } },
      { api: { Subnet: `${t.spare(9)}.0/24`, AuxiliaryAddresses: { a: 'bogus' } } },
      { api: { IPRange: `${t.spare(10)}.0/28` } },
    ];
    const seen: Record<string, string[]> = {};
    await onEachTarget(targets, async (t) => {
      seen[t.name] = [];
      const mask = (s: string) => s.replace(/10\.\d+\.\d+\.(\d+)/g, (all, last) => (all.startsWith('10.254.') ? all : `NET.${last}`));
      for (const c of cases(t)) {
        if (c.cli) {
          const r = t.docker(['network', 'create', ...c.cli, 'bad']);
          seen[t.name]!.push(mask(`${r.code} ${r.stderr}`));
        } else {
          const r = await t.api('POST', '/networks/create', { Name: 'bad', IPAM: { Config: [c.api] } });
          seen[t.name]!.push(mask(`${r.status} ${message(r)}`));
        }
      }
      assert.equal(t.docker(['network', 'ls', '-q', '--filter', 'name=bad']).stdout, '', 'nothing made');
    });
    assert.deepEqual(seen.berthd, seen.dockerd);
    const berth = (args: string[]) => run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', berthd.host, ...args]);
    for (const c of cases(targets[0]!).filter((x) => x.cli).slice(0, 5)) {
      const ours = berth(['network', 'create', ...c.cli!, 'bad']);
      const theirs = berthd.docker(['network', 'create', ...c.cli!, 'bad']);
      assert.deepEqual([ours.code, ours.stderr], [theirs.code, theirs.stderr], c.cli!.join(' '));
    }
  });

  test('requested addresses: the errors at create, start and connect', async () => {
    const seen: Record<string, string[]> = {};
    await onEachTarget(targets, async (t) => {
      assert.equal(t.docker(['network', 'create', 'auto']).code, 0);
      assert.equal(t.docker(['network', 'create', '--subnet', `${t.net}.0/24`, 'own']).code, 0);
      assert.equal(t.docker(['run', '-d', '--name', 'live', '--network', 'own', 'busybox', 'sleep', '300']).code, 0);
      const line = (r: RunResult) => `${r.code} ${r.stderr.split('\n')[0]}`.replaceAll(t.net, 'NET');
      seen[t.name] = [
        line(t.docker(['create', '--network', 'own', '--ip', 'bogus', 'busybox'])),
        line(t.docker(['run', '--rm', '--network', 'auto', '--ip', '172.31.250.9', 'busybox', 'true'])),
        line(t.docker(['run', '--rm', '--network', 'own', '--ip6', 'fd00::9', 'busybox', 'true'])),
        line(t.docker(['network', 'connect', '--ip', '172.31.250.9', 'auto', 'live'])),
        line(t.docker(['network', 'connect', '--ip6', 'fd00::9', 'auto', 'live'])),
        line(t.docker(['network', 'connect', '--link-local-ip', 'bogus', 'auto', 'live'])),
        line(t.docker(['network', 'connect', '--driver-opt', 'novalue', 'auto', 'live'])),
      ];
      t.docker(['rm', '-f', 'live']);
      for (const n of ['auto', 'own']) assert.equal(t.docker(['network', 'rm', n]).code, 0);
    });
    assert.deepEqual(seen.berthd, seen.dockerd);
    assert.match(seen.berthd![2]!, /user specified IP address is supported only when connecting to networks with user configured subnets/);
  });

  test('endpoint DriverOpts and LinkLocalIPs at create and at connect, with --alias, --ip and --link', async () => {
    const shapes: Record<string, unknown[]> = {};
    await onEachTarget(targets, async (t) => {
      assert.equal(t.docker(['network', 'create', '--subnet', `${t.net}.0/24`, 'opts']).code, 0);
      assert.equal(t.docker(['network', 'create', '--subnet', `${t.net.replace(/\.(\d+)$/, (_, n) => `.${Number(n) + 10}`)}.0/24`, 'more']).code, 0);
      const made = await t.api('POST', '/containers/create?name=withopts', {
        Image: 'busybox', Cmd: ['sleep', '300'], HostConfig: { NetworkMode: 'opts' },
        NetworkingConfig: { EndpointsConfig: { opts: { IPAMConfig: { IPv4Address: `${t.net}.50`, LinkLocalIPs: ['169.254.7.7'] }, DriverOpts: { 'com.example.x': '1' } } } },
      });
      assert.equal(made.status, 201, made.body);
      assert.equal(t.docker(['start', 'withopts']).code, 0);
      assert.equal(t.docker(['run', '-d', '--name', 'peer', '--network', 'opts', 'busybox', 'sleep', '300']).code, 0);
      const connected = t.docker(['network', 'connect', '--alias', 'al1', '--alias', 'al2', '--ip', `${t.net.replace(/\.(\d+)$/, (_, n) => `.${Number(n) + 10}`)}.77`,
        '--link-local-ip', '169.254.3.3', '--driver-opt', 'com.example=1', '--driver-opt', 'x=y', '--link', 'peer:pp', 'more', 'withopts']);
      assert.equal(connected.code, 0, connected.stderr);
      const inspect = JSON.parse((await t.api('GET', '/containers/withopts/json')).body) as { Id: string; NetworkSettings: { Networks: Record<string, Record<string, unknown>> } };
      const pick = (e: Record<string, unknown>) => ({
        IPAMConfig: JSON.parse(JSON.stringify(e.IPAMConfig).replace(/10\.\d+\.\d+\.77/, 'MORE.77').replaceAll(t.net, 'NET')),
        DriverOpts: e.DriverOpts, Links: e.Links, Aliases: (e.Aliases as string[] | null)?.filter((a) => a !== inspect.Id.slice(0, 12)),
      });
      shapes[t.name] = [pick(inspect.NetworkSettings.Networks.opts!), pick(inspect.NetworkSettings.Networks.more!)];
      const addrs = t.docker(['exec', 'withopts', 'ip', '-4', '-o', 'addr']).stdout;
      assert.match(addrs, /eth0\s+inet 169\.254\.7\.7\/16/);
      assert.match(addrs, /eth1\s+inet 169\.254\.3\.3\/16/);
      const lookup = t.docker(['run', '--rm', '--network', 'more', 'busybox', 'nslookup', 'al2']);
      assert.match(lookup.stdout, /Address: 10\.\d+\.\d+\.77/, lookup.stdout + lookup.stderr);
      t.docker(['rm', '-f', 'withopts', 'peer']);
      for (const n of ['opts', 'more']) assert.equal(t.docker(['network', 'rm', n]).code, 0);
    });
    assert.deepEqual(shapes.berthd, shapes.dockerd);
    assert.deepEqual(shapes.berthd![1], {
      IPAMConfig: { IPv4Address: 'MORE.77', LinkLocalIPs: ['169.254.3.3'] }, DriverOpts: { 'com.example': '1', x: 'y' }, Links: ['peer:pp'], Aliases: ['al1', 'al2'],
    });
  });

  test('the berth CLI\'s network connect sends what the docker CLI sends', () => {
    const berth = (args: string[]) => run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', berthd.host, ...args]);
    const net = targets[0]!.net;
    assert.equal(berthd.docker(['network', 'create', '--subnet', `${net}.0/24`, 'viacli']).code, 0);
    const fields = '{{json .NetworkSettings.Networks.viacli.IPAMConfig}} {{json .NetworkSettings.Networks.viacli.DriverOpts}} {{json .NetworkSettings.Networks.viacli.Aliases}}';
    const results: string[] = [];
    for (const [name, cli] of [['c1', berth], ['c2', (a: string[]) => berthd.docker(a)]] as const) {
      assert.equal(berthd.docker(['run', '-d', '--name', name, 'busybox', 'sleep', '300']).code, 0);
      const ip = `${net}.${name === 'c1' ? 31 : 32}`;
      const r = cli(['network', 'connect', '--alias', 'x1,x2', '--ip', ip, '--link-local-ip', '169.254.9.9', '--driver-opt', ' k = v ', 'viacli', name]);
      assert.equal(r.code, 0, r.stderr);
      const id = berthd.docker(['inspect', '-f', '{{.Id}}', name]).stdout.trim().slice(0, 12);
      results.push(berthd.docker(['inspect', '-f', fields, name]).stdout.replace(ip, 'IP').replace(id, 'ID'));
      const bad = cli(['network', 'connect', '--driver-opt', 'novalue', 'bridge', name]);
      results.push(`${bad.code} ${bad.stderr}`);
    }
    assert.equal(results[0], results[2]);
    assert.equal(results[1], results[3]);
    berthd.docker(['rm', '-f', 'c1', 'c2']);
    assert.equal(berthd.docker(['network', 'rm', 'viacli']).code, 0);
  });

  test('the berth CLI\'s run takes --ip, --ip6, --network-alias, --link-local-ip, --mac-address and --link as the docker CLI', () => {
    const berth = (args: string[]) => run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', berthd.host, ...args]);
    const net = targets[0]!.spare(30);
    assert.equal(berthd.docker(['network', 'create', '--subnet', `${net}.0/24`, 'runcli']).code, 0);
    assert.equal(berthd.docker(['run', '-d', '--name', 'target', '--network', 'runcli', 'busybox', 'sleep', '300']).code, 0);
    const fields = '{{json .NetworkSettings.Networks.runcli.IPAMConfig}} {{json .NetworkSettings.Networks.runcli.Links}} {{.NetworkSettings.Networks.runcli.MacAddress}} {{json .NetworkSettings.Networks.runcli.Aliases}}';
    const results: string[] = [];
    for (const [name, cli] of [['r1', berth], ['r2', (a: string[]) => berthd.docker(a)]] as const) {
      const n = name === 'r1' ? 51 : 53;
      const r = cli(['run', '-d', '--name', name, '--network', 'runcli', '--ip', `${net}.${n}`, '--network-alias', `alias-${name}`, '--link-local-ip', '169.254.9.9',
        '--mac-address', `02:42:0a:00:00:${n}`, '--link', 'target:tgt', 'busybox', 'sleep', '300']);
      assert.equal(r.code, 0, r.stderr);
      const id = berthd.docker(['inspect', '-f', '{{.Id}}', name]).stdout.trim().slice(0, 12);
      results.push(berthd.docker(['inspect', '-f', fields, name]).stdout.replace(id, 'ID').replaceAll(String(n), 'N').replaceAll(name, 'NAME')); // the ID first: it may hold n's digits
      const lookup = berthd.docker(['exec', name, 'nslookup', 'tgt']);
      assert.match(lookup.stdout, /Address: \d+\.\d+\.\d+\.\d+/, lookup.stdout + lookup.stderr);
      const bad = cli(['run', '--rm', '--ip', '10.9.9.9', 'busybox', 'true']);
      results.push(`${bad.code} ${bad.stderr.replace(/^.*Error response from daemon: /s, '').replace(/Run '(berth|docker) /, "Run 'CLI ")}`);
    }
    assert.equal(results[0], results[2]);
    assert.match(results[0]!, /"IPv4Address":".*\.N".*"LinkLocalIPs":\["169\.254\.9\.9"\].*\["target:tgt"\] 02:42:0a:00:00:N/);
    assert.equal(results[1], results[3]);
    berthd.docker(['rm', '-f', 'r1', 'r2', 'target']);
    assert.equal(berthd.docker(['network', 'rm', 'runcli']).code, 0);
  });
});
