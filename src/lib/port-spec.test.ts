import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEngineError } from './errors.js';
import { expandPortSpec } from './port-spec.js';

test('EXPOSE specs as dockerd 20.10 reads them (nat.ParsePortSpecs): its accepted forms and its error words', () => {
  assert.deepEqual(expandPortSpec('0'), ['0/tcp']);
  assert.deepEqual(expandPortSpec('80-81/UDP'), ['80/udp', '81/udp']);
  assert.deepEqual(expandPortSpec('7/UDP'), ['7/udp']);
  assert.deepEqual(expandPortSpec('80:90'), ['90/tcp']);
  for (const [spec, message] of [
    ['abc', 'Invalid containerPort: abc'], ['70000', 'Invalid containerPort: 70000'], ['5-3', 'Invalid containerPort: 5-3'],
    ['1-70000', 'Invalid containerPort: 1-70000'], ['80/foo', 'Invalid proto: foo'],
  ]) {
    assert.throws(() => expandPortSpec(spec!), (e) => isEngineError(e, 'invalid') && e.message === message, spec);
  }
});
