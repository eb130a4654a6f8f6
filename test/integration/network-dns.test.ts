/**
 * The embedded DNS server as dockerd serves it, through berthd and the real
 * docker CLI: 127.0.0.11 inside each container on a user network, names
 * without regard to case, hostnames, aliases, links for the linker only,
 * forwarding over UDP and TCP, nothing left behind, and resolv.conf byte for
 * byte as a private dockerd writes it. No query leaves the host: every
 * container gets --dns pointing at a stand-in upstream on a loopback address
 * (berthd forwards from the host's namespace, as dockerd does for loopback).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxRootfs, DOCKER_CLI, ReferenceDockerd, TestDaemon, waitForValue } from './harness.js';

const HELPER = join(dirname(fileURLToPath(import.meta.url)), 'dns-helper.js');
// A loopback address of its own, so parallel test runs never share port 53.
const UPSTREAM = `127.${(process.pid >> 16) % 200 + 20}.${(process.pid >> 8) % 256}.${process.pid % 250 + 2}`;
const DNS = ['--dns', UPSTREAM];

/** The sections of a `for n in …; do echo "== $n"; nslookup …; done` run, by name. */
function sections(out: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of out.split(/^== /m).slice(1)) map.set(part.slice(0, part.indexOf('\n')), part);
  return map;
}

const lookups = (names: string[]) => `for n in ${names.join(' ')}; do echo "== $n"; nslookup -type=a $n; done`;

describe('embedded DNS at 127.0.0.11', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let upstream: ChildProcess | undefined;
  let upstreamLog = '';
  const docker = (...args: string[]) => daemon.docker(args);
  const ipOf = (name: string) => docker('inspect', '-f', '{{.NetworkSettings.Networks.dnsnet.IPAddress}}', name).stdout.trim();
  const berthdPid = () => Number(readFileSync(join(daemon.dir, 'berthd.pid'), 'utf8').trim());
  const askFrom = (container: string, transport: 'udp' | 'tcp', name: string) => {
    const pid = docker('inspect', '-f', '{{.State.Pid}}', container).stdout.trim();
    const out = spawnSync('nsenter', ['-n', '-t', pid, process.execPath, HELPER, 'ask', transport, name], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    return JSON.parse(out.stdout) as { rcode: number; addresses: string[] };
  };
  const upstreamSaw = (line: string) => waitForValue(`upstream to see "${line}"`, async () => (upstreamLog.split('\n').includes(line) ? true : undefined), 10_000);

  before(async () => {
    upstream = spawn(process.execPath, [HELPER, 'serve', UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
    upstream.stdout!.on('data', (d: Buffer) => (upstreamLog += d.toString()));
    await waitForValue('the stand-in upstream', async () => (upstreamLog.startsWith('ready\n') ? true : undefined));
    daemon = await TestDaemon.start();
    assert.equal(docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest').code, 0);
    assert.equal(docker('network', 'create', 'dnsnet').code, 0);
    const mixed = docker('run', '-d', '--name', 'MixedCaseName', '--hostname', 'myhost', '--network', 'dnsnet', '--network-alias', 'Web.Alias', ...DNS, 'busybox', 'sleep', '600');
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.equal(docker('run', '-d', '--name', 'srv2', '--network', 'dnsnet', ...DNS, 'busybox', 'sleep', '600').code, 0);
  });

  after(async () => {
    await daemon?.stop();
    upstream?.kill();
  });

  test('resolv.conf says 127.0.0.11, which answers names without regard to case, hostnames, aliases, name.network and reverse lookups', () => {
    const ip = ipOf('MixedCaseName');
    const shortId = docker('inspect', '-f', '{{.Id}}', 'MixedCaseName').stdout.slice(0, 12);
    const names = ['mixedcasename', 'MIXEDCASENAME', 'myhost', 'MyHost', 'web.alias', 'WEB.ALIAS', shortId, 'mixedcasename.dnsnet'];
    const run = docker('run', '--rm', '--network', 'dnsnet', ...DNS, 'busybox', 'sh', '-c', `cat /etc/resolv.conf; ${lookups(names)}; echo "== reverse"; nslookup ${ip}`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(run.stdout.startsWith('nameserver 127.0.0.11\noptions ndots:0\n== '), run.stdout);
    const found = sections(run.stdout);
    assert.match(found.get('reverse') ?? '', /name = MixedCaseName\.dnsnet\n/, run.stdout);
    for (const name of names) {
      assert.match(found.get(name) ?? '', /Server:\s+127\.0\.0\.11\n/, name);
      assert.match(found.get(name) ?? '', new RegExp(`Address: ${ip.replace(/\./g, '\\.')}\\n`), `${name}: ${found.get(name)}`);
    }
  });

  test('a generated name is unknown to DNS (the short ID and reverse lookups stand in) until a rename, as in dockerd', async () => {
    const id = docker('run', '-d', '--network', 'dnsnet', ...DNS, 'busybox', 'sleep', '600').stdout.trim();
    const generated = docker('inspect', '-f', '{{.Name}}', id).stdout.trim().slice(1);
    const ip = docker('inspect', '-f', '{{.NetworkSettings.Networks.dnsnet.IPAddress}}', id).stdout.trim();
    const before = sections(docker('run', '--rm', '--network', 'dnsnet', ...DNS, 'busybox', 'sh', '-c', `${lookups([generated, id.slice(0, 12)])}; echo "== reverse"; nslookup ${ip}`).stdout);
    assert.doesNotMatch(before.get(generated)!, new RegExp(ip.replace(/\./g, '\\.')));
    assert.match(before.get(id.slice(0, 12))!, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}\\n`));
    assert.match(before.get('reverse')!, new RegExp(`name = ${id.slice(0, 12)}\\.dnsnet\\n`));
    await upstreamSaw(`udp ${generated}`);
    assert.equal(docker('rename', id, 'RenamedOne').code, 0);
    const after = sections(docker('run', '--rm', '--network', 'dnsnet', ...DNS, 'busybox', 'sh', '-c', lookups(['renamedone'])).stdout);
    assert.match(after.get('renamedone')!, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}\\n`));
    assert.equal(docker('rm', '-f', id).code, 0);
  });

  test('a --link alias on a user network resolves for the linking container only', async () => {
    const ip = ipOf('srv2');
    const linker = docker('run', '--rm', '--network', 'dnsnet', '--link', 'srv2:lnk', ...DNS, 'busybox', 'sh', '-c', `${lookups(['lnk'])}; cat /etc/hosts`);
    assert.equal(linker.code, 0, linker.stdout + linker.stderr);
    assert.match(sections(linker.stdout).get('lnk')!, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}\\n`));
    const hosts = linker.stdout.slice(linker.stdout.indexOf('127.0.0.1\tlocalhost'));
    assert.doesNotMatch(hosts, /\blnk\b/, 'as with dockerd, no hosts entry for a link on a user network');
    const other = docker('run', '--rm', '--network', 'dnsnet', ...DNS, 'busybox', 'nslookup', '-type=a', 'lnk');
    assert.doesNotMatch(other.stdout, new RegExp(ip.replace(/\./g, '\\.')));
    assert.match(other.stdout + other.stderr, /NXDOMAIN/, 'the alias is no name of ours for others: the upstream answered');
    await upstreamSaw('udp lnk');
  });

  test('unknown names go to the --dns upstream, UDP over UDP and TCP over TCP; TCP queries of our names are answered', async () => {
    assert.equal(docker('run', '-d', '--name', 'asker', '--network', 'dnsnet', ...DNS, 'busybox', 'sleep', '600').code, 0);
    const viaNslookup = docker('exec', 'asker', 'nslookup', '-type=a', 'abc.upstream.test');
    assert.match(viaNslookup.stdout, /Address: 192\.0\.2\.3\n/, viaNslookup.stdout + viaNslookup.stderr);
    await upstreamSaw('udp abc.upstream.test');
    assert.deepEqual(askFrom('asker', 'tcp', 'abcd.upstream.test'), { rcode: 0, addresses: ['192.0.2.4'] });
    await upstreamSaw('tcp abcd.upstream.test');
    assert.deepEqual(askFrom('asker', 'tcp', 'MixedCaseName'), { rcode: 0, addresses: [ipOf('MixedCaseName')] });
    assert.deepEqual(askFrom('asker', 'udp', 'nothing-here'), { rcode: 3, addresses: [] });
  });

  test('a container joins a user network from the default bridge: it gets 127.0.0.11 then, and a hosts line per network, as in dockerd', async () => {
    assert.equal(docker('run', '-d', '--name', 'joiner', ...DNS, 'busybox', 'sleep', '600').code, 0);
    assert.equal(docker('exec', 'joiner', 'head', '-1', '/etc/resolv.conf').stdout, `nameserver ${UPSTREAM}\n`);
    assert.equal(docker('network', 'connect', 'dnsnet', 'joiner').code, 0);
    const resolv = docker('exec', 'joiner', 'cat', '/etc/resolv.conf').stdout;
    assert.ok(resolv.startsWith('nameserver 127.0.0.11\noptions ndots:0\n'), resolv);
    const found = docker('exec', 'joiner', 'nslookup', '-type=a', 'srv2');
    assert.match(found.stdout, new RegExp(`Address: ${ipOf('srv2').replace(/\./g, '\\.')}\\n`), found.stdout + found.stderr);
    const bridgeIp = docker('inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', 'joiner').stdout.trim();
    const ownLines = () => docker('exec', 'joiner', 'cat', '/etc/hosts').stdout.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+\t/.test(l) && !l.startsWith('127.')).map((l) => l.split('\t')[0]);
    assert.deepEqual(ownLines(), [bridgeIp, ipOf('joiner')]);
    assert.equal(docker('network', 'disconnect', 'dnsnet', 'joiner').code, 0);
    assert.deepEqual(ownLines(), [bridgeIp]);
    // Connected before its first start, a default-bridge container gets the resolver too.
    assert.equal(docker('create', '--name', 'joiner2', ...DNS, 'busybox', 'sleep', '600').code, 0);
    assert.equal(docker('network', 'connect', 'dnsnet', 'joiner2').code, 0);
    assert.equal(docker('start', 'joiner2').code, 0);
    assert.match(docker('exec', 'joiner2', 'nslookup', '-type=a', 'srv2').stdout, /Server:\s+127\.0\.0\.11\n[^]*Address: \d/);
    assert.equal(docker('rm', '-f', 'joiner', 'joiner2').code, 0);
  });

  test('the DNAT rules live in the container\'s netns; its sockets in berthd go when it is removed', async () => {
    // Follow the resolver's own sockets by inode: a count of berthd's sockets is disturbed by other
    // containers' resolvers closing and by API connections coming and going.
    const socketInodesOfBerthd = () => new Set(readdirSync(`/proc/${berthdPid()}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${berthdPid()}/fd/${fd}`))?.[1] ?? ''];
      } catch {
        return []; // closed meanwhile
      }
    }));
    assert.equal(docker('run', '-d', '--name', 'shortlived', '--network', 'dnsnet', ...DNS, 'busybox', 'sleep', '600').code, 0);
    const pid = docker('inspect', '-f', '{{.State.Pid}}', 'shortlived').stdout.trim();
    const rules = spawnSync('nsenter', ['-n', '-t', pid, 'iptables', '-w', '-t', 'nat', '-S'], { encoding: 'utf8' }).stdout;
    const udp = /-A DOCKER_OUTPUT -d 127\.0\.0\.11\/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127\.0\.0\.11:(\d+)/.exec(rules);
    const tcp = /-A DOCKER_OUTPUT -d 127\.0\.0\.11\/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127\.0\.0\.11:(\d+)/.exec(rules);
    assert.ok(udp && tcp, rules);
    const inodes = [resolverSocketInode(pid, 'udp', Number(udp[1])), resolverSocketInode(pid, 'tcp', Number(tcp[1]))];
    const held = socketInodesOfBerthd();
    assert.ok(inodes.every((inode) => held.has(inode)), 'berthd holds the UDP and the TCP socket that serve it');
    assert.equal(docker('rm', '-f', 'shortlived').code, 0);
    await waitForValue('berthd to close the container\'s DNS sockets', async () => {
      const still = socketInodesOfBerthd();
      return inodes.some((inode) => still.has(inode)) ? undefined : true;
    }, 10_000);
  });

  test('after berthd restarts, a running container\'s 127.0.0.11 answers again (new sockets, rules rewritten, not doubled)', async () => {
    if (docker('inspect', 'asker').code !== 0) assert.equal(docker('run', '-d', '--name', 'asker', '--network', 'dnsnet', ...DNS, 'busybox', 'sleep', '600').code, 0);
    assert.equal(await daemon.kill('SIGTERM'), 0);
    await daemon.launch();
    assert.deepEqual(askFrom('asker', 'udp', 'srv2'), { rcode: 0, addresses: [ipOf('srv2')] });
    assert.deepEqual(askFrom('asker', 'tcp', 'srv2'), { rcode: 0, addresses: [ipOf('srv2')] });
    const pid = docker('inspect', '-f', '{{.State.Pid}}', 'asker').stdout.trim();
    const rules = spawnSync('nsenter', ['-n', '-t', pid, 'iptables', '-w', '-t', 'nat', '-S'], { encoding: 'utf8' }).stdout;
    assert.equal(rules.match(/-A OUTPUT -d 127\.0\.0\.11\/32 -j DOCKER_OUTPUT/g)?.length, 1, rules);
    assert.equal(rules.match(/-j DNAT/g)?.length, 2, rules);
  });

  test('resolv.conf on a user network is what dockerd writes, with and without --dns, --dns-search and --dns-option', async () => {
    const reference = await ReferenceDockerd.start();
    try {
      assert.equal(reference.docker(['import', await busyboxRootfs(), 'bb:dns']).code, 0);
      assert.equal(reference.docker(['network', 'create', 'dnsnet']).code, 0);
      assert.equal(docker('tag', 'busybox:latest', 'bb:dns').code, 0);
      const variants = [
        [],
        ['--dns', '10.9.9.9', '--dns', 'fd00::53'],
        ['--dns-search', 'foo.example', '--dns-option', 'ndots:2', '--dns-option', 'timeout:1'],
        ['--dns-option', 'ndots:0', '--dns-option', 'attempts:3'],
      ];
      for (const flags of variants) {
        const args = ['run', '--rm', '--network', 'dnsnet', ...flags, 'bb:dns', 'cat', '/etc/resolv.conf'];
        const theirs = reference.docker(args);
        const ours = daemon.docker(args);
        assert.equal(theirs.code, 0, theirs.stderr);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(ours.stdout, theirs.stdout, flags.join(' '));
      }
    } finally {
      await reference.stop();
    }
  });
});

/** The inode of the socket bound to 127.0.0.11:port in the netns of process `pid` (from /proc/PID/net/udp|tcp). */
function resolverSocketInode(pid: string, proto: 'udp' | 'tcp', port: number): string {
  const local = `0B00007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/)).find((fields) => fields[1] === local);
  assert.ok(line, `a ${proto} socket on 127.0.0.11:${port} in the container's netns`);
  return line[9]!;
}
