import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkDigest, isRepositoryName, isTag, lookupManifestReference, parseManifestReference } from './names.js';

describe('registry names', () => {
  it('accepts the spec\'s grammar and nothing that could leave the root', () => {
    for (const ok of ['a', 'library/busybox', 'a.b_c__d--e/f', 'x/y/z/w']) assert.ok(isRepositoryName(ok), ok);
    for (const bad of ['', '.', '..', '../x', 'a/../b', 'a//b', '/a', 'a/', 'A', 'a/_layers', '_a', 'a-', 'a%2fb', 'a\\b', 'a/.b']) {
      assert.ok(!isRepositoryName(bad), bad);
    }
    assert.ok(!isRepositoryName('a'.repeat(256)));
  });

  it('matches in linear time on hostile input', () => {
    const start = process.hrtime.bigint();
    assert.ok(!isRepositoryName('a-'.repeat(127)), 'ends in a separator');
    assert.ok(!isRepositoryName(`${'a_'.repeat(120)}_`));
    assert.ok(!isRepositoryName(`${'a.'.repeat(100)}/!`));
    assert.ok(Number(process.hrtime.bigint() - start) < 1e9);
  });

  it('tells tags from digests, with the spec\'s errors', () => {
    for (const ok of ['latest', 'v1.0', '_x', 'A-b_c.d']) assert.ok(isTag(ok), ok);
    for (const bad of ['', '.x', '-x', '..', 't'.repeat(129), 'a/b']) assert.ok(!isTag(bad), bad);
    assert.deepEqual(parseManifestReference('v1'), { tag: 'v1' });
    assert.throws(() => parseManifestReference('..'), { code: 'TAG_INVALID' });
    assert.throws(() => lookupManifestReference('..'), { code: 'MANIFEST_UNKNOWN' });
    assert.deepEqual(lookupManifestReference('v1'), { tag: 'v1' });
    assert.throws(() => lookupManifestReference('sha256:abc'), { code: 'DIGEST_INVALID' });
    assert.throws(() => parseManifestReference('sha256:abc'), { code: 'DIGEST_INVALID' });
    assert.throws(() => checkDigest(`sha512:${'a'.repeat(128)}`), /unsupported digest/);
  });
});
