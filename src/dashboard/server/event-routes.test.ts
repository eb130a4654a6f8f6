import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventRow } from './event-routes.js';

test('an engine event becomes a feed row tagged with its host, timed to the millisecond', () => {
  const row = eventRow('berth', {
    Type: 'container', Action: 'start', scope: 'local', time: 1700000000, timeNano: 1700000000123456789,
    Actor: { ID: 'abc', Attributes: { name: 'web', image: 'bb:latest' } },
  });
  assert.deepEqual({ ...row, time: Math.round(row.time) }, {
    host: 'berth', type: 'container', action: 'start', id: 'abc', name: 'web', attributes: { name: 'web', image: 'bb:latest' }, time: 1700000000123,
  });
  const image = eventRow('docker', { Type: 'image', Action: 'pull', scope: 'local', time: 1700000001, timeNano: 0, Actor: { ID: 'bb:latest', Attributes: {} } });
  assert.equal(image.time, 1700000001000, 'without timeNano, from time');
  assert.equal(image.name, '');
});
