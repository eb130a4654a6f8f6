/**
 * What a container gets (issue 13 §5): supplementary groups, sysctls,
 * namespaces, cgroup placement, and /etc/hosts, /etc/hostname and
 * /etc/resolv.conf, through the docker CLI against a test berthd. Each
 * expectation is what dockerd 20.10 gave for the same commands; when a private
 * dockerd can run here, the same commands are run against it too and must
 * give the same output (container IDs and addresses masked).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, DOCKER_CLI, dockerdSkipReason, ReferenceDockerd, TestDaemon, type RunResult } from './harness.js';

const NONE = ['--network', 'none'];
const maskIds = (s: string) => s.replace(/[0-9a-f]{64}/g, '<id>').replace(/[0-9a-f]{12}/g, '<id>');

/** A 10.x.y.0/24 that no route of this host covers, for the user network of each daemon. */
function freeSubnet(seed: number): string {
  const routes = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout;
  for (let i = 0; i < 200; i++) {
    const subnet = `10.${200 + ((seed + i) % 50)}.${(seed * 7 + i) % 250}.0/24`;
    if (!routes.includes(subnet)) return subnet;
  }
  throw new Error('no free 10.x.y.0/24 subnet');
}

/** The tar entry docker cp writes to stdout: its name, size and content. */
function tarEntry(out: string): { name: string; size: number; content: string } {
  const buf = Buffer.from(out, 'latin1');
  const name = buf.subarray(0, 100).toString().replace(/\0.*$/s, '');
  const size = parseInt(buf.subarray(124, 136).toString().replace(/\0.*$/s, '').trim() || '0', 8);
  return { name, size, content: buf.subarray(512, 512 + size).toString() };
}

describe('what a container gets', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd | undefined;
  let scratch = '';
  const cgroupParent = `berth-it-cg-${process.pid}`;
  const netName = `contents${process.pid}`;
  const docker = (...args: string[]) => berthd.docker(args);

  /**
   * The command on berthd, and on the private dockerd when there is one:
   * same stdout, stderr and exit code after `mask`. Returns berthd's result.
   */
  function same(args: string[], mask: (s: string) => string = maskIds): RunResult {
    const ours = berthd.docker(args);
    if (dockerd) {
      const theirs = dockerd.docker(args);
      assert.equal(mask(ours.stdout), mask(theirs.stdout), `stdout of ${args.join(' ')}`);
      assert.equal(mask(ours.stderr), mask(theirs.stderr), `stderr of ${args.join(' ')}`);
      assert.equal(ours.code, theirs.code, `exit code of ${args.join(' ')}`);
    }
    return ours;
  }
  const both = (...args: string[]) => {
    const r = berthd.docker(args);
    assert.equal(r.code, 0, r.stderr);
    if (dockerd) assert.equal(dockerd.docker(args).code, 0, `dockerd: ${args.join(' ')}`);
  };

  before(async () => {
    berthd = await TestDaemon.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-contents-'));
    const tar = await busyboxRootfs();
    if (!dockerdSkipReason() && !process.env.BERTH_TEST_NO_DOCKERD) dockerd = await ReferenceDockerd.start();
    for (const run of [berthd.docker.bind(berthd), dockerd?.docker.bind(dockerd)]) {
      if (!run) continue;
      const imported = run(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']);
      assert.equal(imported.code, 0, imported.stderr);
    }
    // A user network on each daemon (dockerd's default bridge is off), each in a subnet of its own.
    assert.equal(docker('network', 'create', '--subnet', freeSubnet(process.pid % 97), netName).code, 0);
    if (dockerd) assert.equal(dockerd.docker(['network', 'create', '--subnet', freeSubnet(process.pid % 97 + 11), netName]).code, 0);
  });

  after(async () => {
    for (const d of [berthd, dockerd]) {
      if (!d) continue;
      const ids = d.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
      if (ids.length) d.docker(['rm', '-f', ...ids]);
      d.docker(['network', 'rm', netName, 'latenet']);
      d.docker(['volume', 'rm', '-f', 'etcvol']);
    }
    await berthd?.stop();
    await dockerd?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    // runc made the parent cgroup in every hierarchy; nothing else uses it.
    for (const controller of existsSync('/sys/fs/cgroup') ? spawnSync('ls', ['/sys/fs/cgroup'], { encoding: 'utf8' }).stdout.split('\n') : []) {
      try {
        rmdirSync(join('/sys/fs/cgroup', controller, cgroupParent));
      } catch {
        // not there in this hierarchy
      }
    }
  });

  test('--group-add: the primary group, the groups naming the user, then the added ones', () => {
    const root = same(['run', '--rm', ...NONE, '--group-add', '123', '--group-add', 'wheel', '--group-add', 'daemon', 'busybox', 'id']);
    assert.equal(root.stdout, 'uid=0(root) gid=0(root) groups=0(root),1(daemon),10(wheel),123\n', root.stderr);
    assert.equal(same(['run', '--rm', ...NONE, 'busybox', 'id']).stdout, 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
    const nobody = same(['run', '--rm', ...NONE, '-u', 'nobody', '--group-add', '123', '--group-add', 'wheel', 'busybox', 'id']);
    assert.equal(nobody.stdout, 'uid=65534(nobody) gid=65534(nogroup) groups=10(wheel),123,65534(nogroup)\n');
    assert.equal(same(['run', '--rm', ...NONE, '-u', '1000:1000', '--group-add', '123', 'busybox', 'id']).stdout, 'uid=1000 gid=1000 groups=123,1000\n');
    const exec = docker('run', '-d', ...NONE, '--name', 'grouped', '--group-add', '123', 'busybox', 'sleep', '300');
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(docker('exec', 'grouped', 'id', '-G').stdout, '0 10 123\n', 'exec gets the groups too');
    const unknown = same(['run', '--rm', ...NONE, '--group-add', 'nosuchgroup', 'busybox', 'id']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /Unable to find group nosuchgroup: no matching entries in group file/);
  });

  test("dockerd's default sysctls in a private netns only, and --sysctl wins", () => {
    const read = 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range';
    assert.equal(same(['run', '--rm', ...NONE, 'busybox', 'sh', '-c', read]).stdout, '0\n0\t2147483647\n');
    assert.equal(same(['run', '--rm', '--network', netName, 'busybox', 'sh', '-c', read]).stdout, '0\n0\t2147483647\n');
    const own = same(['run', '--rm', ...NONE, '--sysctl', 'net.ipv4.ip_unprivileged_port_start=100', 'busybox', 'cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']);
    assert.equal(own.stdout, '100\n');
    const hostValue = readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8');
    assert.equal(same(['run', '--rm', '--network', 'host', 'busybox', 'cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']).stdout, hostValue);
  });

  test('--network host keeps --hostname in a private UTS namespace; --dns applies there', () => {
    const named = same(['run', '--rm', '--network', 'host', '-h', 'myh', '--domainname', 'd.test', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname /proc/sys/kernel/domainname']);
    assert.equal(named.stdout, 'myh\nmyh\nd.test\n');
    assert.equal(same(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'hostname; echo $HOSTNAME']).stdout, `${hostname()}\n${hostname()}\n`);
    assert.equal(hostname(), spawnSync('hostname', { encoding: 'utf8' }).stdout.trim(), 'the host keeps its name');
    const dns = same(['run', '--rm', '--network', 'host', '--dns', '192.0.2.53', '--dns-search', 'foo.test', '--dns-option', 'ndots:2', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.equal(dns.stdout, 'search foo.test\nnameserver 192.0.2.53\noptions ndots:2\n');
    assert.equal(same(['run', '--rm', '--network', 'host', 'busybox', 'cat', '/etc/resolv.conf']).stdout, readFileSync('/etc/resolv.conf', 'utf8'));
  });

  test('hosts and resolv.conf as dockerd writes them', () => {
    const head = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';
    assert.equal(same(['run', '--rm', ...NONE, '-h', 'h1', '--domainname', 'd.test', 'busybox', 'cat', '/etc/hosts']).stdout, head, 'no address, no line of its own');
    const masked = (s: string) => maskIds(s).replace(/\d+\.\d+\.\d+\.\d+\t/g, '<ip>\t');
    const own = same(['run', '--rm', '--network', netName, '-h', 'h1', '--domainname', 'd.test', 'busybox', 'sh', '-c', 'tail -1 /etc/hosts; hostname; hostname -f'], masked);
    assert.match(own.stdout, /^\d+\.\d+\.\d+\.\d+\th1\.d\.test h1\nh1\nh1\.d\.test\n$/);
    assert.equal(same(['run', '--rm', ...NONE, '--domainname', 'd.test', 'busybox', 'cat', '/proc/sys/kernel/domainname']).stdout, 'd.test\n', 'the NIS domain name');
    const dns = same(['run', '--rm', ...NONE, '--dns', '192.0.2.53', '--dns-search', 'foo.test', '--dns-option', 'ndots:2', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.equal(dns.stdout, 'search foo.test\nnameserver 192.0.2.53\noptions ndots:2\n');
    const embedded = docker('run', '--rm', '--network', netName, '--dns-search', 'foo.test', 'busybox', 'cat', '/etc/resolv.conf');
    assert.match(embedded.stdout, /^search foo\.test\nnameserver \S+\noptions ndots:0\n$/, 'search comes first with the embedded server too');
  });

  test('a volume or bind at /etc does not hide hosts, hostname and resolv.conf', async () => {
    const etc = join(scratch, 'etc');
    spawnSync('mkdir', ['-p', etc]);
    await writeFile(join(etc, 'foo'), 'x\n');
    assert.equal(same(['run', '--rm', ...NONE, '-h', 'hh', '-v', `${etc}:/etc`, 'busybox', 'sh', '-c', 'ls /etc; cat /etc/hostname']).stdout, 'foo\nhostname\nhosts\nresolv.conf\nhh\n');
    assert.equal(same(['run', '--rm', ...NONE, '-h', 'hh', '-v', 'etcvol:/etc', 'busybox', 'cat', '/etc/hostname']).stdout, 'hh\n');
  });

  test('a created, never started container already has empty /etc/hosts, hostname and resolv.conf', () => {
    both('create', '--name', 'fresh', ...NONE, '-h', 'freshh', 'busybox', 'true');
    for (const name of ['hostname', 'hosts', 'resolv.conf']) {
      const out = same(['cp', `fresh:/etc/${name}`, '-'], (s) => JSON.stringify(tarEntry(s)));
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(tarEntry(out.stdout), { name, size: 0, content: '' });
    }
    both('start', '-a', 'fresh');
    assert.equal(tarEntry(same(['cp', 'fresh:/etc/hostname', '-'], (s) => JSON.stringify(tarEntry(s))).stdout).content, 'freshh\n', 'once started, the written file');
    assert.equal(docker('diff', 'fresh').stdout, '', 'the placeholders are not changes');
  });

  test('--network container:<x> shares its hostname, hosts and resolv.conf', () => {
    both('run', '-d', '--name', 'netparent', ...NONE, '-h', 'parh', '--domainname', 'pd.test', '--dns-search', 'p.test', 'busybox', 'sleep', '300');
    const out = same(['run', '--name', 'netchild', '--network', 'container:netparent', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname; echo $HOSTNAME; cat /etc/resolv.conf']);
    assert.equal(out.stdout, `parh\nparh\nparh\n${docker('exec', 'netparent', 'cat', '/etc/resolv.conf').stdout}`);
    assert.match(out.stdout, /search p\.test/);
    same(['inspect', '-f', '{{.Config.Hostname}} {{.Config.Domainname}}', 'netchild']);
    const paths = docker('inspect', '-f', '{{.HostsPath}} {{.ResolvConfPath}}', 'netchild').stdout;
    assert.equal(paths, docker('inspect', '-f', '{{.HostsPath}} {{.ResolvConfPath}}', 'netparent').stdout);
  });

  test('--pid and --ipc container:<x>, --ipc host', () => {
    both('run', '-d', '--name', 'donor', '--ipc', 'shareable', ...NONE, 'busybox', 'sleep', '300');
    both('run', '-d', '--name', 'private', ...NONE, 'busybox', 'sleep', '300');
    both('create', '--name', 'idle', ...NONE, 'busybox', 'true');
    assert.equal(same(['run', '--rm', ...NONE, '--ipc', 'container:donor', 'busybox', 'sh', '-c', 'touch /dev/shm/shared && echo ok']).stdout, 'ok\n');
    assert.equal(same(['exec', 'donor', 'ls', '/dev/shm']).stdout, 'shared\n', "the donor's /dev/shm");
    const ps = same(['run', '--rm', ...NONE, '--pid', 'container:donor', 'busybox', 'ps', '-o', 'pid,args'], (s) => s.replace(/^\s*\d+ ps .*$/m, 'ps'));
    assert.match(ps.stdout, /^\s*1 sleep 300$/m);
    assert.match(same(['run', '--rm', ...NONE, '--ipc', 'container:private', 'busybox', 'true']).stderr, /can't join IPC of container [0-9a-f]{64}: non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/);
    assert.match(same(['run', '--rm', ...NONE, '--ipc', 'container:idle', 'busybox', 'true']).stderr, /can't join IPC of container ([0-9a-f]{64}): container \1 is not running/);
    assert.match(same(['run', '--rm', ...NONE, '--pid', 'container:idle', 'busybox', 'true']).stderr, /Error response from daemon: container [0-9a-f]{64} is not running/);
    const missing = same(['run', '--rm', ...NONE, '--ipc', 'container:nosuch', 'busybox', 'true']);
    assert.match(missing.stderr, /^docker: Error response from daemon: No such container: nosuch\.?\n/);
    assert.equal(same(['run', '--rm', ...NONE, '--ipc', 'host', 'busybox', 'echo', 'ok']).stdout, 'ok\n');
    same(['rm', '-f', 'donor']);
    const leftovers = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(berthd.dir) && l.includes('/mounts/shm'));
    assert.deepEqual(leftovers, [], "the donor's shm is unmounted");
  });

  test('Isolation other than default is refused on Linux', () => {
    const refused = same(['run', '--rm', ...NONE, '--isolation', 'hyperv', 'busybox', 'true']);
    assert.match(refused.stderr, /Invalid isolation: "hyperv" - linux only supports 'default'/);
    assert.equal(same(['run', '--rm', ...NONE, '--isolation', 'default', 'busybox', 'echo', 'ok']).stdout, 'ok\n');
  });

  test('the network of NetworkMode is looked for at start, not at create', () => {
    both('create', '--name', 'late', '--network', 'latenet', '-h', 'lateh', 'busybox', 'hostname');
    // Until the network exists, inspect names it but gives no NetworkID, as dockerd does.
    const pending = same(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'late'], (s) => s.replace(/"MacAddress":"[^"]*"/, ''));
    assert.match(pending.stdout, /^\{"latenet":\{.*"NetworkID":"",/, pending.stdout);
    const early = same(['start', 'late']);
    assert.match(early.stderr, /network latenet not found/);
    both('network', 'create', '--subnet', freeSubnet(process.pid % 89 + 23), 'latenet');
    assert.equal(docker('start', '-a', 'late').stdout, 'lateh\n');
  });

  test('--cgroup-parent and --device-cgroup-rule reach the container', () => {
    const script = 'grep pids /proc/self/cgroup | cut -d/ -f1-2; grep -E "^(b 7|c 1:3)" /sys/fs/cgroup/devices/devices.list || true';
    const out = same(['run', '--rm', ...NONE, '--cgroup-parent', `/${cgroupParent}`, '--device-cgroup-rule', 'c 1:3 rwm', '--device-cgroup-rule', 'b 7:* r', 'busybox', 'sh', '-c', script]);
    assert.match(out.stdout, new RegExp(`^\\d+:pids:/${cgroupParent}\\n`), out.stderr);
    if (existsSync('/sys/fs/cgroup/devices')) assert.match(out.stdout, /c 1:3 rwm\nb 7:\* r\n$/);
  });
});
