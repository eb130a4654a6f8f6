import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from './challenge.js';

test('a Bearer challenge with quoted parameters', () => {
  const [c] = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
  assert.equal(c!.scheme, 'bearer');
  assert.deepEqual(c!.params, { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' });
});

test('several challenges in one header, and several headers', () => {
  const challenges = parseChallenges(['Basic realm="x", Bearer realm="https://a/t",service=reg', 'Basic realm="esc \\"q\\""']);
  assert.deepEqual(challenges.map((c) => c.scheme), ['basic', 'bearer', 'basic']);
  assert.equal(challenges[1]!.params.service, 'reg');
  assert.equal(challenges[2]!.params.realm, 'esc "q"');
});

test('nothing to parse', () => {
  assert.deepEqual(parseChallenges(undefined), []);
  assert.deepEqual(parseChallenges(''), []);
});
