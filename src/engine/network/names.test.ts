import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { resolveName, resolverFor, type NameSource } from './names.js';
import type { ContainerRecord } from './store.js';
import type { NetworkRecord } from './types.js';

function network(id: string, name: string): NetworkRecord {
  return { id, name, driver: 'bridge', created: '', scope: 'local', internal: false, attachable: false, ipv6: false, ipam: [], options: {}, labels: {} };
}

/** A running container with one endpoint per [networkId, ip, aliases, links]. */
function container(id: string, name: string, hostname: string, endpoints: Array<[string, string, string[]?, string[]?]>, dns: string[] = []): ContainerRecord {
  return {
    id,
    config: { name, hostname, dns, links: [] } as unknown as ContainerRecord['config'],
    networks: endpoints.map(([networkId, , , links]) => ({ networkId, request: links ? { links } : {} })),
    sandbox: {
      netns: `ns-${id}`, ports: [], attachment: {} as never,
      endpoints: endpoints.map(([networkId, ip, aliases]) => ({ networkId, endpointId: '', gateway: '', aliases: aliases ?? [], plan: { ip } as never })),
    },
  };
}

function source(containers: ContainerRecord[], upstreams: string[] = ['10.255.0.53']): NameSource {
  return {
    containers: new Map(containers.map((c) => [c.id, c])),
    networks: new Map([network('nb', 'bridge'), network('n1', 'front'), network('n2', 'Back')].map((n) => [n.id, n])),
    defaultUpstreams: () => upstreams,
  };
}

describe('names the embedded DNS gives a container', () => {
  const web = container('w', 'MixedCaseName', 'webhost', [['n1', '10.1.0.2', ['Web.Alias', 'w0123456789a']], ['nb', '172.17.0.2']]);
  const db = container('d', 'db', 'd', [['n1', '10.1.0.3'], ['n2', '10.2.0.3']]);
  const other = container('o', 'other', 'o', [['n2', '10.2.0.4']]);
  const linker = container('l', 'linker', 'l', [['n1', '10.1.0.9', [], ['db:store', 'MixedCaseName:db']]]);
  const onBridge = container('b', 'onbridge', 'b', [['nb', '172.17.0.5']]);
  const s = source([web, db, other, linker, onBridge]);

  it('matches names, hostnames and aliases without regard to case, on the networks the asker shares', () => {
    for (const name of ['mixedcasename', 'MIXEDCASENAME', 'webhost', 'WEB.alias', 'w0123456789a', 'mixedcasename.']) {
      assert.deepEqual(resolveName(s, db, name), ['10.1.0.2'], name);
    }
    assert.deepEqual(resolveName(s, web, 'other'), [], 'not on a network web is on');
    assert.deepEqual(resolveName(s, db, 'other'), ['10.2.0.4']);
  });

  it('answers name.network for that network only', () => {
    assert.deepEqual(resolveName(s, db, 'db.back'), ['10.2.0.3']);
    assert.deepEqual(resolveName(s, db, 'DB.FRONT'), ['10.1.0.3']);
    assert.deepEqual(resolveName(s, db, 'web.alias.front'), ['10.1.0.2']);
    assert.deepEqual(resolveName(s, db, 'other.front'), []);
  });

  it('gives a container its own link aliases, which hide other holders of the name and mean nothing to others', () => {
    assert.deepEqual(resolveName(s, linker, 'store'), ['10.1.0.3']);
    assert.deepEqual(resolveName(s, linker, 'db'), ['10.1.0.2'], 'its alias db is MixedCaseName, not the container db');
    assert.deepEqual(resolveName(s, web, 'store'), []);
    assert.deepEqual(resolveName(s, web, 'db'), ['10.1.0.3']);
  });

  it('does not know generated names: such a container goes by its hostname and aliases, the first one in reverse', () => {
    const anon = container('a', 'gentle_turing', 'a0123456789b', [['n1', '10.1.0.30', ['a0123456789b']]]);
    anon.config.anonymous = true;
    const s2 = source([anon, db]);
    assert.deepEqual(resolveName(s2, db, 'gentle_turing'), []);
    assert.deepEqual(resolveName(s2, db, 'a0123456789b'), ['10.1.0.30']);
    assert.equal(resolverFor(s2, 'd').reverse('10.1.0.30'), 'a0123456789b.front');
  });

  it('knows no names on the default bridge', () => {
    assert.deepEqual(resolveName(s, onBridge, 'mixedcasename'), []);
    assert.deepEqual(resolveName(s, db, 'onbridge'), []);
  });

  it('forwards to the container\'s IPv4 --dns servers, else to the default upstreams', () => {
    const withDns = container('x', 'x', 'x', [['n1', '10.1.0.20']], ['10.9.9.9', 'fd00::53']);
    const s2 = source([withDns, db]);
    assert.deepEqual(resolverFor(s2, 'x').upstreams(), ['10.9.9.9']);
    assert.deepEqual(resolverFor(s2, 'd').upstreams(), ['10.255.0.53']);
    assert.deepEqual(resolverFor(s2, 'x').lookup('DB'), ['10.1.0.3']);
    assert.deepEqual(resolverFor(s2, 'gone').lookup('db'), []);
  });

  it('names the addresses of the asker\'s user networks in reverse lookups', () => {
    assert.equal(resolverFor(s, 'd').reverse('10.2.0.4'), 'other.Back');
    assert.equal(resolverFor(s, 'd').reverse('10.1.0.2'), 'MixedCaseName.front');
    assert.equal(resolverFor(s, 'o').reverse('10.1.0.2'), null, 'not on a network other is on');
    assert.equal(resolverFor(s, 'b').reverse('172.17.0.2'), null, 'the default bridge is anonymous');
  });
});
