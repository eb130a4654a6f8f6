import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isEngineError, type ErrorKind } from '../../lib/errors.js';
import { AddressAllocator, completePool } from './ipam.js';
import type { IpamPool } from './types.js';

/** The error completePool throws, as kind and message (dockerd's status and text). */
function failure(pool: IpamPool): { kind: ErrorKind; message: string } {
  try {
    completePool(pool, { network: 'n1' });
  } catch (err) {
    assert.ok(isEngineError(err));
    return { kind: err.kind, message: err.message };
  }
  assert.fail('completePool accepted the pool');
}

describe('ipam: --ip-range, --gateway, --aux-address', () => {
  it('keeps range, gateway and auxiliary addresses as given, in dockerd\'s IPAM.Config shape', () => {
    const pool = { Subnet: '10.77.0.0/16', IPRange: '10.77.5.0/24', Gateway: '10.77.0.254', AuxiliaryAddresses: { host1: '10.77.5.1', r2: '10.77.5.2' } };
    assert.deepEqual(completePool(pool), pool);
    // dockerd shows a range with host bits as written.
    assert.equal(completePool({ Subnet: '10.80.0.0/16', IPRange: '10.80.1.5/24' }).IPRange, '10.80.1.5/24');
    assert.deepEqual(completePool({ Subnet: '10.1.0.0/24', AuxiliaryAddresses: {} }), { Subnet: '10.1.0.0/24', Gateway: '10.1.0.1' });
  });

  it('refuses what dockerd refuses, with its texts and statuses', () => {
    assert.deepEqual(failure({ Subnet: '10.90.0.0/16', Gateway: '10.91.0.1' }), { kind: 'internal', message: 'failed to allocate gateway (10.91.0.1): Requested address is out of range' });
    assert.deepEqual(failure({ Subnet: '10.90.0.0/16', Gateway: '10.90.0.0' }), { kind: 'internal', message: 'failed to allocate gateway (10.90.0.0): Address already in use' });
    assert.deepEqual(failure({ Subnet: '10.90.0.0/16', Gateway: 'bogus' }), { kind: 'internal', message: 'invalid gateway address bogus in Ipam configuration' });
    assert.deepEqual(failure({ Subnet: '10.93.0.0/16', IPRange: '10.93.0.0/33' }),
      { kind: 'internal', message: 'failed to parse pool request for address space "LocalDefault" pool "10.93.0.0/16" subpool "10.93.0.0/33": Invalid Address SubPool' });
    assert.equal(failure({ Subnet: '10.93.0.0/16', IPRange: '10.94.0.0/24' }).kind, 'invalid');
    assert.equal(failure({ Subnet: '10.93.0.0/16', IPRange: '10.0.0.0/8' }).kind, 'invalid');
    assert.deepEqual(failure({ Subnet: '10.100.0.0/16', AuxiliaryAddresses: { a: '10.101.0.1' } }),
      { kind: 'forbidden', message: 'auxiliary address: (a:10.101.0.1) must belong to the master pool: 10.100.0.0/16' });
    assert.deepEqual(failure({ Subnet: '10.103.0.0/16', AuxiliaryAddresses: { a: '10.103.0.1' } }),
      { kind: 'internal', message: 'failed to allocate secondary ip address (a:10.103.0.1): Address already in use' });
    assert.deepEqual(failure({ Subnet: '10.103.0.0/16', AuxiliaryAddresses: { a: '10.103.0.9', b: '10.103.0.9' } }),
      { kind: 'internal', message: 'failed to allocate secondary ip address (b:10.103.0.9): Address already in use' });
    assert.deepEqual(failure({ Subnet: '10.104.0.0/16', AuxiliaryAddresses: { a: 'bogus' } }),
      { kind: 'internal', message: 'non parsable secondary ip address (a:bogus) passed for network n1' });
  });

  it('hands out addresses only inside the range, never the gateway or an auxiliary address', () => {
    const pool = completePool({ Subnet: '10.60.0.0/24', IPRange: '10.60.0.8/30', Gateway: '10.60.0.9', AuxiliaryAddresses: { a: '10.60.0.10' } });
    const a = new AddressAllocator(pool, 'rng (abc)');
    // As dockerd: .8 (the range's first address is not the subnet's) and .11, then nothing.
    assert.equal(a.allocate(), '10.60.0.8');
    assert.equal(a.allocate(), '10.60.0.11');
    assert.throws(() => a.allocate(), /^EngineError: no available IPv4 addresses on this network's address pools: rng \(abc\)$/);
    // A static address may lie outside the range, inside the subnet; the gateway and auxiliary addresses are taken.
    assert.equal(a.claim('10.60.0.100'), '10.60.0.100');
    assert.throws(() => a.claim('10.60.0.9'), (e) => isEngineError(e, 'forbidden') && e.message === 'Address already in use');
    assert.throws(() => a.claim('10.60.0.10'), (e) => isEngineError(e, 'forbidden') && e.message === 'Address already in use');
    assert.throws(() => a.claim('10.61.0.100'), (e) => isEngineError(e, 'internal') && e.message === "Invalid address 10.61.0.100: It does not belong to any of this network's subnets");
  });
});
