import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkRequest, volumeRequest } from './resource-actions.js';

test('the network form becomes a create request as docker network create sends it', () => {
  assert.deepEqual(networkRequest({ name: ' n1 ', driver: '', subnet: '', gateway: '' }), { Name: 'n1', CheckDuplicate: true });
  assert.deepEqual(networkRequest({ name: 'n2', driver: 'bridge', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: 'on' }), {
    Name: 'n2', CheckDuplicate: true, Driver: 'bridge', Internal: true, IPAM: { Driver: 'default', Config: [{ Subnet: '10.1.0.0/24', Gateway: '10.1.0.1' }] },
  });
  assert.throws(() => networkRequest({ name: '' }), { kind: 'invalid', message: 'a network needs a name' });
  assert.throws(() => networkRequest({ name: 'n', gateway: '10.1.0.1' }), { kind: 'invalid', message: 'a gateway needs a subnet' });
  assert.throws(() => networkRequest({ name: 3 }), { kind: 'invalid', message: 'name must be a string' });
});

test('the volume form: name and driver only when given (the engine names a volume without one)', () => {
  assert.deepEqual(volumeRequest({}), {});
  assert.deepEqual(volumeRequest({ name: 'v', driver: 'local' }), { Name: 'v', Driver: 'local' });
  assert.throws(() => volumeRequest({ driver: ['x'] }), { kind: 'invalid' });
});
