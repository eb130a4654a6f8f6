import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../lib/errors.js';
import { referenceOf } from './image-routes.js';

test('pull and push references split as docker splits them; a bad one is a 400 with the reason', () => {
  assert.deepEqual(referenceOf({ image: ' 127.0.0.1:5000/team/bb:v1 ' }), { repo: '127.0.0.1:5000/team/bb', tag: 'v1', display: '127.0.0.1:5000/team/bb:v1' });
  assert.deepEqual(referenceOf({ target: 'bb' }, 'target'), { repo: 'bb', tag: 'latest', display: 'bb:latest' });
  assert.throws(() => referenceOf({}), (err) => isEngineError(err, 'invalid') && err.message === 'image is needed');
  assert.throws(() => referenceOf({ image: 'Upper/Case' }), (err) => isEngineError(err, 'invalid') && /^invalid reference format/.test(err.message));
});
