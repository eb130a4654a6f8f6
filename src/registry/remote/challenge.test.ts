import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge } from './challenge.js';

describe('parseChallenge', () => {
  it('reads a bearer challenge with quoted, comma-holding values', () => {
    const c = parseChallenge('Bearer realm="http://127.0.0.1:5000/service/token",service="berth",scope="repository:a/b:pull,push"');
    assert.deepEqual(c, { scheme: 'bearer', params: { realm: 'http://127.0.0.1:5000/service/token', service: 'berth', scope: 'repository:a/b:pull,push' } });
  });

  it('reads basic challenges, unquoted values and escapes', () => {
    assert.deepEqual(parseChallenge('Basic realm="my \\"registry\\""'), { scheme: 'basic', params: { realm: 'my "registry"' } });
    assert.deepEqual(parseChallenge('bearer realm=https://a/t, service=x'), { scheme: 'bearer', params: { realm: 'https://a/t', service: 'x' } });
  });

  it('rejects what it cannot answer', () => {
    assert.equal(parseChallenge(undefined), undefined);
    assert.equal(parseChallenge('Negotiate abc'), undefined);
  });
});
