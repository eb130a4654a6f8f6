import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ipBatch, ipCmd, listLinks, runTool } from '../../platform/linux/ip.js';
import { execInNetns, listNetns } from '../../platform/linux/netns.js';
import { listRules } from '../../platform/linux/iptables.js';
import { LinuxNetworkService } from './service.js';
import { echoServer, fakeDirectory } from './testing.js';
import type { Attachment, ContainerNetworkConfig } from './types.js';

const isRoot = process.getuid?.() === 0;
const tag = randomBytes(2).toString('hex');
const octet = 100 + (parseInt(tag, 16) % 100);
const names = { bridge: `brt${tag}`, chains: `BT${tag}`, netns: `berth-t-${tag}-`, userBridge: 'bt', veth: 'vt', dummy: `dmt${tag}` };

function config(name: string, over: Partial<ContainerNetworkConfig> = {}): ContainerNetworkConfig {
  return {
    name, hostname: name, domainname: '', networkMode: 'bridge', endpoints: {}, portBindings: {}, publishAllPorts: false,
    exposedPorts: [], dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], links: [], ...over,
  };
}

function netnsOf(a: Attachment): string {
  return typeof a.namespace === 'object' ? a.namespace.path.split('/').pop()! : '';
}

function tcpRead(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out.trim()));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
  });
}

function udpAsk(host: string, port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('udp timeout')); }, 5000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(payload, port, host);
  });
}

const ping = (netns: string, ip: string) => execInNetns(netns, ['busybox', 'ping', '-c', '1', '-W', '1', ip]).then(() => true, () => false);

describe('bridge networking with real namespaces', { skip: !isRoot && 'needs root' }, () => {
  const directory = fakeDirectory();
  let root: string;
  let svc: LinuxNetworkService;
  const servers: ChildProcess[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-net-'));
    svc = new LinuxNetworkService({
      root, directory, defaultBridge: names.bridge, bip: `10.231.${octet}.1/24`, chainPrefix: names.chains,
      netnsPrefix: names.netns, bridgePrefix: names.userBridge, vethPrefix: names.veth, upstreamResolvers: [],
    });
    await svc.init();
  });

  after(async () => {
    for (const s of servers) s.kill();
    for (const id of [...svc.containers.keys()]) await svc.unregister(id).catch(() => undefined);
    for (const n of await svc.list()) if (!['bridge', 'host', 'none'].includes(n.name)) await svc.remove(n.id).catch(() => undefined);
    await svc.destroyAll();
    await ipBatch([ipCmd.linkDel(names.dummy)]).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    // Nothing of ours is left behind.
    assert.deepEqual(await listNetns(names.netns), []);
    const links = (await listLinks()).map((l) => l.ifname);
    assert.deepEqual(links.filter((l) => l === names.bridge || l === names.dummy || /^vt[0-9a-f]{7}$/.test(l)), []);
    for (const table of ['nat', 'filter'] as const) assert.deepEqual((await listRules(table)).filter((r) => r.includes(names.chains)), []);
  });

  async function start(name: string, over: Partial<ContainerNetworkConfig> = {}) {
    const facts = directory.add(name);
    await svc.register(facts.id, config(name, over));
    return { id: facts.id, attachment: await svc.attach(facts.id) };
  }

  it('two containers on the default bridge reach each other over ICMP, TCP and UDP', async () => {
    const a = await start('a');
    const b = await start('b');
    const ipA = a.attachment.endpoints[0]!.ipAddress;
    assert.match(ipA, new RegExp(`^10\\.231\\.${octet}\\.`));
    assert.ok(await ping(netnsOf(b.attachment), ipA));
    servers.push(await echoServer(netnsOf(a.attachment), 7000, 'A'));
    const tcp = await execInNetns(netnsOf(b.attachment), ['busybox', 'nc', '-w', '2', ipA, '7000']);
    assert.match(tcp, /^A tcp/);
    const udpClient = `const s = require('dgram').createSocket('udp4'); s.on('message', (m) => { console.log(String(m)); s.close(); }); s.send('x', 7000, '${ipA}'); setTimeout(() => process.exit(1), 3000).unref();`;
    const udp = await execInNetns(netnsOf(b.attachment), [process.execPath, '-e', udpClient]);
    assert.match(udp, /A udp/);
    assert.match(a.attachment.hostsContent, new RegExp(`${ipA.replace(/\./g, '\\.')}\\ta\\n`));
    assert.doesNotMatch(a.attachment.resolvConfContent, /127\.0\.0\.11/);
    await svc.detach(b.id);
    assert.deepEqual(await listNetns(netnsOf(b.attachment)), []);
  });

  it('publishes TCP and UDP ports: loopback through the proxy, the bridge address through DNAT', async () => {
    const c = await start('web', { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] } });
    servers.push(await echoServer(netnsOf(c.attachment), 80, 'W'));
    servers.push(await echoServer(netnsOf(c.attachment), 53, 'U'));
    const tcpPort = Number(c.attachment.ports['80/tcp']![0]!.HostPort);
    const udpPort = Number(c.attachment.ports['53/udp']![0]!.HostPort);
    assert.ok(tcpPort > 1024 && udpPort > 1024);
    assert.match(await tcpRead('127.0.0.1', tcpPort), /^W tcp/);
    assert.equal((await udpAsk('127.0.0.1', udpPort, Buffer.from('x'))).toString(), 'U udp');
    assert.match(await tcpRead(`10.231.${octet}.1`, tcpPort), /^W tcp/);
    const counters = await runTool('iptables', ['-t', 'nat', '-L', names.chains, '-v', '-n', '-x']);
    const dnatLine = counters.split('\n').find((l) => l.includes(`dpt:${tcpPort}`))!;
    assert.ok(Number(dnatLine.trim().split(/\s+/)[0]) > 0, 'the DNAT rule saw the bridge-address connection');
    // A port in use is a clear error, and nothing is half-created.
    const other = directory.add('clash');
    await svc.register(other.id, config('clash', { portBindings: { '80/tcp': [{ HostIp: '', HostPort: String(tcpPort) }] } }));
    await assert.rejects(svc.attach(other.id), /port is already allocated/);
    assert.deepEqual(await listNetns(`${names.netns}${other.id.slice(0, 12)}`), []);
    await svc.detach(c.id);
    assert.ok(!(await listRules('nat')).some((r) => r.includes(`--dport ${tcpPort}`)));
  });

  it('user networks: names resolve through the embedded DNS, other networks are unreachable, internal has no route out', async () => {
    const netA = await svc.create({ Name: `ta${tag}`, IPAM: { Config: [{ Subnet: `10.232.${octet}.0/24` }] } });
    const netB = await svc.create({ Name: `tb${tag}`, IPAM: { Config: [{ Subnet: `10.233.${octet}.0/24` }] } });
    const a1 = await start('a1', { networkMode: `ta${tag}` });
    const a2 = await start('a2', { networkMode: `ta${tag}`, endpoints: { [`ta${tag}`]: { aliases: ['db'] } } });
    const b1 = await start('b1', { networkMode: `tb${tag}` });
    assert.equal(a1.attachment.resolvConfContent, 'nameserver 127.0.0.11\noptions ndots:0\n');
    const ip2 = a2.attachment.endpoints[0]!.ipAddress;
    for (const name of ['a2', 'A2', 'db', a2.id.slice(0, 12)]) {
      const inside = await execInNetns(netnsOf(a1.attachment), ['busybox', 'nslookup', '-type=a', name, '127.0.0.11']);
      assert.match(inside, new RegExp(`Address: ${ip2.replace(/\./g, '\\.')}`), name);
    }
    assert.ok(await ping(netnsOf(a1.attachment), ip2));
    assert.ok(!(await ping(netnsOf(a1.attachment), b1.attachment.endpoints[0]!.ipAddress)), 'networks are isolated');
    await assert.rejects(svc.remove(netA.id), /active endpoints/);

    // connect b1 to A while it runs: it gets eth1 and reaches a2
    await svc.connect(netA.id, b1.id);
    assert.ok(await ping(netnsOf(b1.attachment), ip2));
    await svc.disconnect(netA.id, b1.id);
    assert.ok(!(await ping(netnsOf(b1.attachment), ip2)));

    await svc.create({ Name: `ti${tag}`, Internal: true, IPAM: { Config: [{ Subnet: `10.234.${octet}.0/24` }] } });
    const i1 = await start('i1', { networkMode: `ti${tag}` });
    const routes = await runTool('ip', ['-n', netnsOf(i1.attachment), 'route']);
    assert.doesNotMatch(routes, /default/);
    for (const id of [a1.id, a2.id, b1.id, i1.id]) await svc.detach(id);
    await svc.remove(netB.id);
  });

  it('macvlan containers on a test-made parent reach each other', async () => {
    // This kernel has no dummy driver; one end of a veth pair is as good a parent.
    await ipBatch([`link add ${names.dummy} type veth peer name ${names.dummy}p`, ipCmd.linkUp(names.dummy), ipCmd.linkUp(`${names.dummy}p`)]);
    await svc.create({ Name: `tm${tag}`, Driver: 'macvlan', Options: { parent: names.dummy }, IPAM: { Config: [{ Subnet: `10.235.${octet}.0/24` }] } });
    const m1 = await start('m1', { networkMode: `tm${tag}` });
    const m2 = await start('m2', { networkMode: `tm${tag}`, endpoints: { [`tm${tag}`]: { ipv4Address: `10.235.${octet}.50` } } });
    assert.equal(m2.attachment.endpoints[0]!.ipAddress, `10.235.${octet}.50`);
    assert.ok(await ping(netnsOf(m1.attachment), `10.235.${octet}.50`));
    await svc.detach(m1.id);
    await svc.detach(m2.id);
  });

  it('container: mode shares the netns; links give hosts entries and env', async () => {
    const target = directory.add('srv', { exposedPorts: ['80/tcp'], env: ['FOO=bar'] });
    await svc.register(target.id, config('srv'));
    const t = await svc.attach(target.id);
    const joiner = directory.add('side');
    await svc.register(joiner.id, config('side', { networkMode: `container:${target.id}` }));
    const shared = await svc.attach(joiner.id);
    assert.deepEqual(shared.namespace, t.namespace);
    const linked = await start('client', { links: ['srv:web'] });
    const ip = t.endpoints[0]!.ipAddress;
    assert.match(linked.attachment.hostsContent, new RegExp(`${ip.replace(/\./g, '\\.')}\\tweb ${target.id.slice(0, 12)} srv`));
    assert.ok(linked.attachment.linkEnv.includes(`WEB_PORT_80_TCP=tcp://${ip}:80`));
    assert.ok(linked.attachment.linkEnv.includes('WEB_ENV_FOO=bar'));
    assert.ok(linked.attachment.linkEnv.includes('WEB_NAME=/client/web'));
  });
});
