import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { buildAnswer, buildQuery, parseAnswerAddresses, parseQuestion } from './dns-message.js';
import { hostsContent, linkEnv, parseExtraHosts, resolvConfContent } from './etc-content.js';
import { Firewall } from './firewall.js';
import { AddressAllocator, completePool, DEFAULT_ADDRESS_POOLS, pickSubnet } from './ipam.js';
import { formatCidr, macFromIp, parseCidr, parseIp } from './ipv4.js';
import { portMap, portRequests } from './ports.js';

describe('ipam', () => {
  it('skips subnets that overlap host routes, addresses and other networks', () => {
    const taken = [parseCidr('172.17.0.0/16'), parseCidr('172.18.5.0/24'), parseCidr('192.0.2.2/24')];
    assert.equal(formatCidr(pickSubnet(DEFAULT_ADDRESS_POOLS, taken)), '172.19.0.0/16');
    const all172 = [parseCidr('172.16.0.0/12')];
    assert.equal(formatCidr(pickSubnet(DEFAULT_ADDRESS_POOLS, all172)), '192.168.0.0/20');
  });

  it('completes pools and hands out addresses round-robin inside the range', () => {
    assert.deepEqual(completePool({ Subnet: '10.1.0.0/24' }), { Subnet: '10.1.0.0/24', Gateway: '10.1.0.1' });
    assert.throws(() => completePool({ Subnet: '10.1.0.1/24' }), /should be 10\.1\.0\.0\/24/);
    assert.throws(() => completePool({ Subnet: '10.1.0.0/24', IPRange: '10.2.0.0/28' }), /Invalid Address SubPool/);
    const a = new AddressAllocator(completePool({ Subnet: '10.1.0.0/24', IPRange: '10.1.0.0/30' }));
    assert.equal(a.allocate(), '10.1.0.2');
    assert.equal(a.allocate(), '10.1.0.3');
    assert.throws(() => a.allocate(), /no available/);
    a.release('10.1.0.2');
    assert.equal(a.allocate(), '10.1.0.2');
    const b = new AddressAllocator(completePool({ Subnet: '10.1.0.0/24' }));
    assert.equal(b.claim('10.1.0.9'), '10.1.0.9');
    assert.throws(() => b.claim('10.1.0.9'), /already in use/);
    assert.throws(() => b.claim('10.2.0.9'), /does not belong to any of this network's subnets/);
  });

  it('derives MACs from addresses as Docker does', () => {
    assert.equal(macFromIp(parseIp('172.17.0.2')), '02:42:ac:11:00:02');
  });
});

describe('ports', () => {
  it('expands bindings, host ranges and -P', () => {
    const r = portRequests({ '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] }, true, ['80/tcp', '443/tcp']);
    assert.deepEqual(r, [
      { protocol: 'tcp', containerPort: 80, hostIp: '', hostPorts: [8000, 8010] },
      { protocol: 'udp', containerPort: 53, hostIp: '127.0.0.1', hostPorts: [5353, 5353] },
      { protocol: 'tcp', containerPort: 443, hostIp: '', hostPorts: [0, 0] },
    ]);
    assert.deepEqual(portMap([{ protocol: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPort: 8000, containerIp: '' }], ['80/tcp', '22/tcp']),
      { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8000' }], '22/tcp': null });
    assert.throws(() => portRequests({ '80/sctp': [] }, false, []), /invalid proto/);
  });
});

describe('dns message', () => {
  it('parses a query and answers with A records', () => {
    const q = buildQuery(42, 'Web.');
    const parsed = parseQuestion(q)!;
    assert.equal(parsed.name, 'web');
    const reply = parseAnswerAddresses(buildAnswer(q, parsed, ['10.0.0.2', '10.0.0.3']));
    assert.deepEqual(reply, { rcode: 0, addresses: ['10.0.0.2', '10.0.0.3'] });
    assert.equal(parseQuestion(Buffer.from([1, 2, 3])), null);
  });
});

describe('etc contents', () => {
  it('writes hosts, resolv.conf and link variables as Docker does', () => {
    const hosts = hostsContent(parseExtraHosts(['db:10.0.0.9', 'gw:host-gateway'], '172.17.0.1'), { ip: '172.17.0.2', names: ['abc'] });
    assert.match(hosts, /10\.0\.0\.9\tdb\n172\.17\.0\.1\tgw\n172\.17\.0\.2\tabc\n$/);
    const host = 'nameserver 127.0.0.53\nsearch example.test\n';
    const none = { embedded: null, dns: [], dnsSearch: [], dnsOptions: [] };
    // libnetwork's FilterResolvDNS, byte for byte: loopback servers dropped, Google's appended.
    assert.equal(resolvConfContent({ host, ...none }), 'search example.test\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4');
    assert.equal(resolvConfContent({ host: '# c\nnameserver 10.0.0.1\noptions rotate\n', ...none }), '# c\nnameserver 10.0.0.1\noptions rotate\n');
    assert.equal(resolvConfContent({ host, ...none, hostNetwork: true }), host);
    // Build: search before nameserver; the host's values fill what is not given.
    assert.equal(resolvConfContent({ host, ...none, dns: ['1.2.3.4'], dnsOptions: ['ndots:2'] }), 'search example.test\nnameserver 1.2.3.4\noptions ndots:2\n');
    assert.equal(resolvConfContent({ host, ...none, dnsSearch: ['a.test'], hostNetwork: true }), 'search a.test\nnameserver 127.0.0.53\n');
    assert.equal(resolvConfContent({ host, embedded: '127.0.0.11', dns: ['1.1.1.1'], dnsSearch: [], dnsOptions: ['rotate'] }), 'search example.test\nnameserver 127.0.0.11\noptions rotate ndots:0\n');
    assert.equal(resolvConfContent({ host, embedded: '127.0.0.11', dns: [], dnsSearch: [], dnsOptions: ['ndots:3'] }), 'search example.test\nnameserver 127.0.0.11\noptions ndots:3\n');
    // IPv6 servers stay beside 127.0.0.11 (the embedded server forwards to IPv4 ones), as dockerd 20.10 writes it.
    assert.equal(resolvConfContent({ host, embedded: '127.0.0.11', dns: ['10.9.9.9', 'fd00::53'], dnsSearch: [], dnsOptions: [] }), 'search example.test\nnameserver 127.0.0.11\nnameserver fd00::53\noptions ndots:0\n');
    assert.deepEqual(linkEnv({ name: 'db', alias: 'db', self: 'web', ip: '172.17.0.3', exposedPorts: ['5432/tcp'], env: ['PW=x', 'PATH=/bin'] }), [
      'DB_NAME=/web/db', 'DB_PORT=tcp://172.17.0.3:5432', 'DB_PORT_5432_TCP=tcp://172.17.0.3:5432',
      'DB_PORT_5432_TCP_ADDR=172.17.0.3', 'DB_PORT_5432_TCP_PORT=5432', 'DB_PORT_5432_TCP_PROTO=tcp', 'DB_ENV_PW=x',
    ]);
  });
});

describe('firewall script', () => {
  it('rewrites only its own chains, with isolation, NAT and DNAT', () => {
    const fw = new Firewall('BTX', true);
    const script = fw.script(
      [
        { bridge: 'b1', subnet: '10.1.0.0/24', internal: false, masquerade: true },
        { bridge: 'b2', subnet: '10.2.0.0/24', internal: true, masquerade: true },
        { bridge: 'b3', subnet: '10.3.0.0/24', internal: false, masquerade: false },
      ],
      [{ bridge: 'b1', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 }],
    );
    const all = script.flatMap((s) => s.rules);
    assert.ok(all.includes('-A BTX ! -i b1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80'));
    assert.ok(all.includes('-A BTX-POSTROUTING -s 10.1.0.0/24 ! -o b1 -j MASQUERADE'));
    assert.ok(!all.some((r) => r.includes('10.2.0.0/24 ! -o b2 -j MASQUERADE')), 'internal networks are not masqueraded');
    assert.ok(!all.some((r) => r.includes('10.3.0.0/24 ! -o b3 -j MASQUERADE')), 'nor those with enable_ip_masquerade=false');
    assert.ok(all.includes('-A BTX-FORWARD -i b3 ! -o b3 -j ACCEPT'), 'which still reach out, unNATed');
    assert.ok(all.includes('-A BTX-ISOLATION-1 ! -d 10.2.0.0/24 -i b2 -j DROP'));
    assert.ok(all.every((r) => /^-A BTX(-|\s)/.test(r)), 'every rule is in a chain of ours');
  });
});
