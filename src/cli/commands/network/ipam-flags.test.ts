import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { consolidateIpam } from './ipam-flags.js';

describe('network create: --subnet/--ip-range/--gateway/--aux-address grouping (docker CLI consolidateIpam)', () => {
  it('puts each value with the subnet that contains it, in any order', () => {
    assert.deepEqual(
      consolidateIpam(['10.1.0.0/16', '10.2.0.0/16'], ['10.2.3.0/24'], ['10.2.0.254', '10.1.0.254'], { a: '10.1.0.9', b: '10.2.0.9' }),
      [
        { Subnet: '10.1.0.0/16', Gateway: '10.1.0.254', AuxiliaryAddresses: { a: '10.1.0.9' } },
        { Subnet: '10.2.0.0/16', IPRange: '10.2.3.0/24', Gateway: '10.2.0.254', AuxiliaryAddresses: { b: '10.2.0.9' } },
      ],
    );
    // Only the range's address is matched, as the docker CLI does.
    assert.deepEqual(consolidateIpam(['10.78.0.0/16'], ['10.78.0.0/8'], [], {}), [{ Subnet: '10.78.0.0/16', IPRange: '10.78.0.0/8' }]);
    assert.deepEqual(consolidateIpam([], [], [], {}), []);
  });

  it('refuses with the docker CLI\'s messages', () => {
    const refuses = (args: Parameters<typeof consolidateIpam>, message: string) => assert.throws(() => consolidateIpam(...args), { message });
    refuses([[], [], ['10.0.0.1'], {}], 'every ip-range or gateway must have a corresponding subnet');
    refuses([['10.1.0.0/16', '10.1.2.0/24'], [], [], {}], 'multiple overlapping subnet configuration is not supported');
    refuses([['10.1.0.0/16'], ['10.2.0.0/24'], [], {}], 'no matching subnet for range 10.2.0.0/24');
    refuses([['10.1.0.0/16'], [], ['bogus'], {}], 'no matching subnet for gateway bogus');
    refuses([['10.1.0.0/16'], [], [], { a: '' }], 'no matching subnet for aux-address ');
    refuses([['bogus'], [], ['10.1.0.1'], {}], 'invalid subnet: invalid CIDR address: bogus');
    refuses([['10.1.0.0/16', '10.2.0.0/16'], ['10.1.1.0/24', '10.1.2.0/24'], [], {}], 'cannot configure multiple ranges (10.1.2.0/24, 10.1.1.0/24) on the same subnet (10.1.0.0/16)');
  });
});
