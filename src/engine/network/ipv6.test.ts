import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { buildAnswer, buildQuery, parseAnswerAddresses, parseQuestion, TYPE_AAAA } from './dns-message.js';
import { Firewall } from './firewall.js';
import { checkPool6, gateway6Of, Ipv6Allocator, pickSubnet6 } from './ipam6.js';
import {
  canonicalAddress, formatAddress, formatPrefix, macBasedAddress, parseAddress, parsePrefix, prefixContains, prefixesOverlap,
} from './ipv6.js';
import { EmbeddedDns } from './dns.js';
import { resolverFor, type NameSource } from './names.js';
import { portRequests } from './ports.js';
import type { ContainerRecord } from './store.js';
import type { NetworkRecord } from './types.js';

describe('ipv6 address math', () => {
  it('parses and prints addresses in RFC 5952 form', () => {
    const cases: Array<[string, string]> = [
      ['fd00::1', 'fd00::1'],
      ['FD00:0:0:0:0:0:0:01', 'fd00::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8::0:1', '2001:db8::1'],
      ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
      ['fd00:1:2:3:4:5:6:7', 'fd00:1:2:3:4:5:6:7'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['fe80::', 'fe80::'],
    ];
    for (const [text, want] of cases) assert.equal(canonicalAddress(text), want, text);
    assert.equal(canonicalAddress('10.1.2.3'), '10.1.2.3');
    for (const bad of ['zzz', 'fd00:::1', '1:2:3:4:5:6:7:8:9', 'fd00::1::2', '1:2:3:4:5:6:7', '12345::', '::1.2.3', '256.1.1.1']) {
      assert.throws(() => parseAddress(bad), /invalid (IPv6|IP) address/, bad);
    }
    assert.throws(() => parseAddress('zzz'), /^EngineError: invalid IP address: zzz$|invalid IP address: zzz/);
    assert.throws(() => parseAddress('fd00:::1'), /invalid IPv6 address: fd00:::1/);
  });

  it('handles prefixes: host bits, containment, overlap, size', () => {
    assert.equal(formatPrefix(parsePrefix('fd42:a9::1/64')), 'fd42:a9::/64');
    assert.throws(() => parsePrefix('fd42:a9::1/64', { strict: true }), /it should be fd42:a9::\/64/);
    assert.throws(() => parsePrefix('fd00::/129'), /invalid CIDR address/);
    assert.throws(() => parsePrefix('fd00::'), /invalid CIDR address/);
    const p = parsePrefix('fd00:1::/48');
    assert.ok(prefixContains(p, 6, parseAddress('fd00:1:0:ffff::9').value));
    assert.ok(!prefixContains(p, 6, parseAddress('fd00:2::1').value));
    assert.ok(!prefixContains(p, 4, 5n));
    assert.ok(prefixesOverlap(p, parsePrefix('fd00:1:0:5::/64')));
    assert.ok(!prefixesOverlap(p, parsePrefix('fd00:2::/64')));
    assert.ok(!prefixesOverlap(parsePrefix('0.0.0.0/0'), parsePrefix('::/0')), 'families never overlap');
    assert.equal(formatPrefix(parsePrefix('10.1.2.3/8')), '10.0.0.0/8');
  });

  it('derives dockerd\'s MAC-based addresses on the default bridge', () => {
    const p = parsePrefix('2001:db8:1::/64');
    assert.equal(formatAddress(6, macBasedAddress(p, '02:42:ac:11:00:02')), '2001:db8:1::242:ac11:2');
  });
});

describe('ipv6 ipam', () => {
  it('completes pools, refuses overlaps and foreign gateways', () => {
    // Kept as given, as dockerd shows configured pools; the effective gateway is derived.
    assert.deepEqual(checkPool6({ Subnet: 'fd42:a9::1/64' }, []), { Subnet: 'fd42:a9::1/64' });
    assert.equal(gateway6Of({ Subnet: 'fd42:a9::1/64' }), 'fd42:a9::1');
    assert.deepEqual(checkPool6({ Subnet: 'fd42::/64', Gateway: 'fd42::fe' }, []), { Subnet: 'fd42::/64', Gateway: 'fd42::fe' });
    assert.equal(gateway6Of({ Subnet: 'fd42::/64', Gateway: 'fd42::fe' }), 'fd42::fe');
    assert.throws(() => checkPool6({ Subnet: 'fd42::/64', Gateway: 'fd43::1' }, []), /no matching subnet for gateway fd43::1/);
    assert.throws(() => checkPool6({ Subnet: 'fd42::/64' }, [parsePrefix('fd42::/48')]), /Pool overlaps/);
    assert.throws(() => checkPool6({ Subnet: 'fd42::/64', IPRange: 'fd43::/80' }, []), /not within subnet/);
  });

  it('picks the first free subnet of the IPv6 pools, or says none is left', () => {
    const pools = [{ base: 'fd00:1::/48', size: 64 }];
    assert.equal(formatPrefix(pickSubnet6(pools, [parsePrefix('fd00:1::/63')])), 'fd00:1:0:2::/64');
    assert.throws(() => pickSubnet6([], []), /could not find an available, non-overlapping IPv6 address pool/);
    assert.throws(() => pickSubnet6([{ base: 'fd00:1::/64', size: 64 }], [parsePrefix('fd00::/16')]), /non-overlapping IPv6/);
  });

  it('hands out addresses after the gateway, round-robin, and checks --ip6', () => {
    const a = new Ipv6Allocator(checkPool6({ Subnet: 'fd42:1::/64' }, []));
    assert.equal(a.prefixLength, 64);
    assert.equal(a.allocate(), 'fd42:1::2');
    assert.equal(a.allocate(), 'fd42:1::3');
    a.release('fd42:1::2');
    assert.equal(a.allocate(), 'fd42:1::4', 'a freed address is not reused at once');
    assert.equal(a.claim('FD42:1:0::99'), 'fd42:1::99');
    assert.throws(() => a.claim('fd42:1::99'), /Address already in use/);
    assert.throws(() => a.claim('fd42:1::1'), /Address already in use/, 'the gateway');
    assert.throws(() => a.claim('fd42:ff::5'), /Invalid address fd42:ff::5: It does not belong to any of this network's subnets/);
    assert.throws(() => a.claim('zzz'), /invalid IPv6 address: zzz/);
    const small = new Ipv6Allocator(checkPool6({ Subnet: 'fd42:2::/126' }, []));
    assert.deepEqual([small.allocate(), small.allocate()], ['fd42:2::2', 'fd42:2::3']);
    assert.throws(() => small.allocate(), /no available IPv6 addresses/);
    const bridge = new Ipv6Allocator(checkPool6({ Subnet: 'fd00:db8:1::/64' }, []));
    assert.equal(bridge.allocate('02:42:ac:11:00:02'), 'fd00:db8:1::242:ac11:2');
  });
});

describe('ipv6 ports, firewall and DNS', () => {
  it('takes IPv6 host addresses and leaves an empty one to both families', () => {
    const r = portRequests({ '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '[::1]', HostPort: '8081' }, { HostIp: '::', HostPort: '8082' }] }, false, []);
    assert.deepEqual(r.map((x) => x.hostIp), ['', '::1', '::']);
    assert.throws(() => portRequests({ '80/tcp': [{ HostIp: 'zz', HostPort: '1' }] }, false, []), /invalid host IP: zz/);
  });

  it('writes ip6tables rules with IPv6 addresses and the IPv6 loopback', () => {
    const fw = new Firewall('B-TEST', true, 6);
    const [nat, filter] = fw.script(
      [{ bridge: 'br-x', subnet: 'fd42:1::/64', internal: false, masquerade: true }],
      [{ protocol: 'tcp', containerPort: 80, hostIp: '::', hostPort: 8080, containerIp: 'fd42:1::2', bridge: 'br-x' },
        { protocol: 'tcp', containerPort: 80, hostIp: '::1', hostPort: 8081, containerIp: 'fd42:1::2', bridge: 'br-x' }],
    );
    assert.ok(nat!.rules.includes('-A B-TEST ! -i br-x -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd42:1::2]:80'));
    assert.ok(nat!.rules.includes('-A B-TEST -d ::1/128 ! -i br-x -p tcp -m tcp --dport 8081 -j DNAT --to-destination [fd42:1::2]:80'));
    assert.ok(nat!.rules.includes('-A B-TEST-POSTROUTING -s fd42:1::/64 ! -o br-x -j MASQUERADE'));
    assert.ok(filter!.rules.includes('-A B-TEST-FORWARD -d fd42:1::2/128 ! -i br-x -o br-x -p tcp -m tcp --dport 80 -j ACCEPT'));
  });

  it('answers AAAA with 16-byte records', () => {
    const query = buildQuery(7, 'web', TYPE_AAAA);
    const reply = buildAnswer(query, parseQuestion(query)!, ['fd42:1::2', 'fd42:1::3']);
    assert.deepEqual(parseAnswerAddresses(reply), { rcode: 0, addresses: ['fd42:1::2', 'fd42:1::3'] });
  });
});

describe('AAAA answers of the embedded DNS', () => {
  const net: NetworkRecord = { id: 'n1', name: 'dual', driver: 'bridge', created: '', scope: 'local', internal: false, attachable: false, ipv6: true, ipam: [], options: {}, labels: {} };
  const running = (id: string, name: string, ip: string, ip6?: string): ContainerRecord => ({
    id,
    config: { name, hostname: id, dns: [], links: [] } as unknown as ContainerRecord['config'],
    networks: [{ networkId: 'n1', request: {} }],
    sandbox: { netns: `ns-${id}`, ports: [], attachment: {} as never, endpoints: [{ networkId: 'n1', endpointId: '', gateway: '', aliases: [], plan: { ip, ip6 } as never }] },
  });
  const source: NameSource = {
    containers: new Map([running('a', 'dual6', '10.1.0.2', 'fd42:1::2'), running('b', 'only4', '10.1.0.3')].map((c) => [c.id, c])),
    networks: new Map([[net.id, net]]),
    defaultUpstreams: () => [],
  };
  const dns = new EmbeddedDns(resolverFor(source, 'b'));
  const ask = async (name: string, type: number) => parseAnswerAddresses((await dns.answer(buildQuery(1, name, type), 'udp'))!);

  it('gives the IPv6 address for AAAA, the IPv4 one for A, and an empty answer for a name without IPv6', async () => {
    assert.deepEqual(await ask('DUAL6', TYPE_AAAA), { rcode: 0, addresses: ['fd42:1::2'] });
    assert.deepEqual(await ask('dual6', 1), { rcode: 0, addresses: ['10.1.0.2'] });
    assert.deepEqual(await ask('only4', TYPE_AAAA), { rcode: 0, addresses: [] }, 'known name: NOERROR without records, not forwarded');
  });
});
