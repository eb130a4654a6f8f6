// Cases follow github.com/distribution/reference's reference_test.go and
// normalize_test.go, so that berth accepts, rejects and prints exactly what
// Docker does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from './errors.js';
import {
  familiarName,
  familiarString,
  fullName,
  idPrefixOf,
  isFullIdentifier,
  isNameOnly,
  nameOnly,
  normalizedString,
  parseAnyReference,
  parseNormalizedNamed,
  parseReference,
  parseTag,
  pullReference,
  withDefaultTag,
  withTag,
  type Reference,
} from './reference.js';

const HEX_F = 'f'.repeat(64);
const DIGEST_F = `sha256:${HEX_F}`;
const HEX_ID = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';

function assertInvalid(fn: () => unknown, message: string, label: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isEngineError(err, 'invalid'), `${label}: expected an invalid EngineError, got ${String(err)}`);
    assert.equal(err.message, message, label);
    return true;
  });
}

test('parseReference (unnormalised) splits name, domain, tag and digest', () => {
  const cases: Array<[input: string, name: string, domain: string, tag?: string, digest?: string]> = [
    ['test_com', 'test_com', ''],
    ['test.com:tag', 'test.com', '', 'tag'],
    ['test.com:5000', 'test.com', '', '5000'],
    ['test.com/repo:tag', 'test.com/repo', 'test.com', 'tag'],
    ['test:5000/repo', 'test:5000/repo', 'test:5000'],
    ['test:5000/repo:tag', 'test:5000/repo', 'test:5000', 'tag'],
    [`test:5000/repo@${DIGEST_F}`, 'test:5000/repo', 'test:5000', undefined, DIGEST_F],
    [`test:5000/repo:tag@${DIGEST_F}`, 'test:5000/repo', 'test:5000', 'tag', DIGEST_F],
    ['lowercase:Uppercase', 'lowercase', '', 'Uppercase'],
    ['a/'.repeat(127) + 'a:tag-puts-this-over-max', 'a/'.repeat(127) + 'a', 'a', 'tag-puts-this-over-max'],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com'],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'some-long-tag'],
    ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app', 'b.gcr.io', 'test.example.com'],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage', 'xn--n3h.com', 'xn--n3h.com'],
    ['foo_bar.com:8080', 'foo_bar.com', '', '8080'],
    ['foo/foo_bar.com:8080', 'foo/foo_bar.com', 'foo', '8080'],
    ['192.168.1.1', '192.168.1.1', ''],
    ['192.168.1.1:tag', '192.168.1.1', '', 'tag'],
    ['192.168.1.1:5000', '192.168.1.1', '', '5000'],
    ['192.168.1.1/repo', '192.168.1.1/repo', '192.168.1.1'],
    ['192.168.1.1:5000/repo', '192.168.1.1:5000/repo', '192.168.1.1:5000'],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo', '192.168.1.1:5000', '5050'],
    ['[2001:db8::1]/repo', '[2001:db8::1]/repo', '[2001:db8::1]'],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo', '[2001:db8:1:2:3:4:5:6]', 'tag'],
    ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000'],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'tag'],
    [`[2001:db8::1]:5000/repo@${DIGEST_F}`, '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', undefined, DIGEST_F],
    [`[2001:db8::1]:5000/repo:tag@${DIGEST_F}`, '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'tag', DIGEST_F],
    ['[2001:db8::]:5000/repo', '[2001:db8::]:5000/repo', '[2001:db8::]:5000'],
    ['[::1]:5000/repo', '[::1]:5000/repo', '[::1]:5000'],
  ];
  for (const [input, name, domain, tag, digest] of cases) {
    const ref = parseReference(input);
    assert.equal(fullName(ref), name, input);
    assert.equal(ref.domain, domain, input);
    assert.equal(ref.tag, tag, input);
    assert.equal(ref.digest, digest, input);
    assert.equal(normalizedString(ref), input, `${input} round-trips`);
  }
});

test('parseReference rejects what Go rejects, with the same message', () => {
  const cases: Array<[input: string, message: string]> = [
    ['', 'repository name must have at least one component'],
    [':justtag', 'invalid reference format'],
    [`@${DIGEST_F}`, 'invalid reference format'],
    ['repo@sha256:' + 'f'.repeat(34), 'invalid checksum digest length'],
    [`repo@sha256:${'F'.repeat(64)}`, 'invalid checksum digest format'],
    [`validname@invaliddigest:${HEX_F}`, 'unsupported digest algorithm'],
    ['Uppercase:tag', 'repository name must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'repository name must be lowercase'],
    ['a/'.repeat(128) + 'a:tag', 'repository name must not be more than 255 characters'],
    ['aa/asdf$$^/aa', 'invalid reference format'],
    ['[2001:db8::1]', 'invalid reference format'],
    ['[2001:db8::1]:5000', 'invalid reference format'],
    ['[2001:db8::1]:tag', 'invalid reference format'],
    ['[fe80::1%eth0]:5000/repo', 'invalid reference format'],
    ['[fe80::1%@invalidzone]:5000/repo', 'invalid reference format'],
    ['a'.repeat(5000), 'invalid reference format'],
  ];
  for (const [input, message] of cases) assertInvalid(() => parseReference(input), message, input);
});

test('parseReference: sha512 digests are outside what berth supports', () => {
  const sha512 = `sha512:${'f'.repeat(128)}`;
  assertInvalid(() => parseReference(`xn--7o8h.com/myimage:xn--7o8h.com@${sha512}`), 'unsupported digest algorithm', 'sha512');
});

test('parseNormalizedNamed accepts the valid names of normalize_test.go', () => {
  const valid = [
    'docker/docker', 'library/debian', 'debian', 'docker.io/docker/docker', 'docker.io/library/debian',
    'docker.io/debian', 'index.docker.io/docker/docker', 'index.docker.io/library/debian', 'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker', '127.0.0.1:5000/library/debian', '127.0.0.1:5000/debian', '192.168.0.1',
    '192.168.0.1:80', '192.168.0.1:8/debian', '192.168.0.2:25000/debian',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker', '[fc00:1:2:3:4:5:6:7]:5000/library/debian', `docker.io/${HEX_ID}`, 'x'.repeat(237),
    'Docker/docker', 'DOCKER/docker', 'docker-rules/docker', 'docker---rules/docker', 'doc/docker', 'd/docker',
    'jess/t', 'dock__er/docker',
  ];
  for (const name of valid) assert.doesNotThrow(() => parseNormalizedNamed(name), name);
});

test('parseNormalizedNamed rejects the invalid names of normalize_test.go', () => {
  const invalidNames = [
    'https://github.com/docker/docker', 'docker/Docker', '-docker', '-docker/docker', '-docker.io/docker/docker',
    'docker///docker', 'docker.io/docker/Docker', 'docker.io/docker///docker', '[fc00::1]', '[fc00::1]:5000',
    'fc00::1:5000/debian', '[fe80::1%eth0]:5000/debian', '[2001:db8:3:4::192.0.2.33]:5000/debian', HEX_ID,
    'docker-/docker', '-docker-/docker', '____/____', '_docker/_docker', 'dock..er/docker', 'dock_.er/docker',
    'dock-.er/docker', 'docker/', '', 'x'.repeat(256) + '/docker',
  ];
  for (const name of invalidNames) {
    assert.throws(() => parseNormalizedNamed(name), (err: unknown) => isEngineError(err, 'invalid'), name);
  }
});

test('parseNormalizedNamed error messages match Docker', () => {
  const cases: Array<[input: string, message: string]> = [
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['myreg:5000/Foo:tag', 'invalid reference format: repository name (Foo) must be lowercase'],
    [HEX_ID, `invalid repository name (${HEX_ID}), cannot specify 64-byte hexadecimal strings`],
    ['', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-bad', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    ['x'.repeat(256), 'repository name must not be more than 255 characters'],
    ['busybox@sha256:abc', 'invalid reference format'],
    [`busybox@sha256:${'a'.repeat(40)}`, 'invalid checksum digest length'],
    ['x'.repeat(238), 'repository name must not be more than 255 characters'],
  ];
  for (const [input, message] of cases) assertInvalid(() => parseNormalizedNamed(input), message, JSON.stringify(input));
});

test('normalisation: domain and path (TestNormalizedSplitHostname)', () => {
  const cases: Array<[input: string, domain: string, path: string]> = [
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['docker/migrator', 'docker.io', 'docker/migrator'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['foo', 'docker.io', 'library/foo'],
    ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['docker.io/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
    ['index.docker.io/foo', 'docker.io', 'library/foo'],
    ['localhost/foo', 'localhost', 'foo'],
    ['localhost:5000/foo/bar', 'localhost:5000', 'foo/bar'],
  ];
  for (const [input, domain, path] of cases) {
    const ref = parseNormalizedNamed(input);
    assert.deepEqual([ref.domain, ref.path], [domain, path], input);
  }
});

test('familiar and full names (TestParseRepositoryInfo)', () => {
  const cases: Array<{ path: string; familiar: string; full: string; ambiguous?: string; domain: string }> = [
    { path: 'fooo/bar', familiar: 'fooo/bar', full: 'docker.io/fooo/bar', ambiguous: 'index.docker.io/fooo/bar', domain: 'docker.io' },
    { path: 'library/ubuntu', familiar: 'ubuntu', full: 'docker.io/library/ubuntu', ambiguous: 'library/ubuntu', domain: 'docker.io' },
    { path: 'nonlibrary/ubuntu', familiar: 'nonlibrary/ubuntu', full: 'docker.io/nonlibrary/ubuntu', domain: 'docker.io' },
    { path: 'other/library', familiar: 'other/library', full: 'docker.io/other/library', domain: 'docker.io' },
    { path: 'private/moonbase', familiar: '127.0.0.1:8000/private/moonbase', full: '127.0.0.1:8000/private/moonbase', domain: '127.0.0.1:8000' },
    { path: 'privatebase', familiar: '127.0.0.1:8000/privatebase', full: '127.0.0.1:8000/privatebase', domain: '127.0.0.1:8000' },
    { path: 'private/moonbase', familiar: 'example.com/private/moonbase', full: 'example.com/private/moonbase', domain: 'example.com' },
    { path: 'privatebase', familiar: 'example.com/privatebase', full: 'example.com/privatebase', domain: 'example.com' },
    { path: 'private/moonbase', familiar: 'example.com:8000/private/moonbase', full: 'example.com:8000/private/moonbase', domain: 'example.com:8000' },
    { path: 'library/ubuntu-12.04-base', familiar: 'ubuntu-12.04-base', full: 'docker.io/library/ubuntu-12.04-base', ambiguous: 'index.docker.io/library/ubuntu-12.04-base', domain: 'docker.io' },
    { path: 'library/foo', familiar: 'foo', full: 'docker.io/library/foo', ambiguous: 'docker.io/foo', domain: 'docker.io' },
    { path: 'library/foo/bar', familiar: 'library/foo/bar', full: 'docker.io/library/foo/bar', domain: 'docker.io' },
    { path: 'store/foo/bar', familiar: 'store/foo/bar', full: 'docker.io/store/foo/bar', domain: 'docker.io' },
    { path: 'bar', familiar: 'Foo/bar', full: 'Foo/bar', domain: 'Foo' },
    { path: 'bar', familiar: 'FOO/bar', full: 'FOO/bar', domain: 'FOO' },
  ];
  for (const c of cases) {
    for (const input of [c.familiar, c.full, ...(c.ambiguous ? [c.ambiguous] : [])]) {
      const ref = parseNormalizedNamed(input);
      assert.equal(familiarName(ref), c.familiar, `${input}: familiar`);
      assert.equal(fullName(ref), c.full, `${input}: full`);
      assert.equal(ref.domain, c.domain, `${input}: domain`);
      assert.equal(ref.path, c.path, `${input}: path`);
    }
  }
});

test('a reference with both tag and digest keeps both (TestParseReferenceWithTagAndDigest)', () => {
  const short = 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
  const ref = parseNormalizedNamed(short);
  assert.equal(normalizedString(ref), `docker.io/library/${short}`);
  assert.equal(familiarString(ref), short);
  assert.equal(ref.tag, 'latest');
  assert.equal(ref.digest, 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa');
  assert.deepEqual(pullReference(ref), { domain: 'docker.io', path: 'library/busybox', digest: ref.digest });
});

test('default tag, familiar and normalised strings', () => {
  const busybox = parseNormalizedNamed('busybox');
  assert.ok(isNameOnly(busybox));
  const tagged = withDefaultTag(busybox);
  assert.equal(familiarString(tagged), 'busybox:latest');
  assert.equal(normalizedString(tagged), 'docker.io/library/busybox:latest');
  assert.equal(isNameOnly(tagged), false);
  assert.deepEqual(pullReference(busybox), tagged);

  const digested = parseNormalizedNamed(`busybox@${DIGEST_F}`);
  assert.equal(withDefaultTag(digested), digested, 'a digest is enough; no tag is added');
  assert.equal(familiarString(digested), `busybox@${DIGEST_F}`);

  const custom = withDefaultTag(parseNormalizedNamed('myreg:5000/foo/bar'));
  assert.equal(familiarString(custom), 'myreg:5000/foo/bar:latest');
  assert.equal(familiarName(parseNormalizedNamed('user/app:1')), 'user/app');
  assert.deepEqual(nameOnly(parseNormalizedNamed(`user/app:1@${DIGEST_F}`)), { domain: 'docker.io', path: 'user/app' });
});

test('parseTag and withTag validate tags as `docker tag` does', () => {
  for (const tag of ['latest', '1.0', 'TAG5', 'a', '_x', 'v1.2-rc.3_b', 'x'.repeat(128)]) {
    assert.equal(parseTag(tag), tag);
  }
  for (const tag of ['', '-foo', '.x', 'a:b', 'a/b', 'x'.repeat(129), 'ü']) {
    assertInvalid(() => parseTag(tag), 'invalid tag format', JSON.stringify(tag));
  }
  const ref: Reference = parseNormalizedNamed(`test.com:8000/foo@${DIGEST_F}`);
  assert.equal(normalizedString(withTag(ref, 'TAG5')), `test.com:8000/foo:TAG5@${DIGEST_F}`);
});

test('image IDs and ID prefixes', () => {
  assert.ok(isFullIdentifier(HEX_ID));
  assert.ok(!isFullIdentifier(`sha256:${HEX_ID}`));
  assert.ok(!isFullIdentifier(HEX_ID.slice(1)));
  assert.equal(idPrefixOf('1a3f'), '1a3f');
  assert.equal(idPrefixOf(`sha256:${HEX_ID}`), HEX_ID);
  assert.equal(idPrefixOf('sha256:1a3'), '1a3');
  assert.equal(idPrefixOf('busybox'), undefined);
  assert.equal(idPrefixOf(HEX_ID + '0'), undefined);
  assert.equal(idPrefixOf(''), undefined);
});

test('parseAnyReference (TestParseAnyReference)', () => {
  const id = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
  assert.deepEqual(parseAnyReference(id), { kind: 'id', id: `sha256:${id}` });
  assert.deepEqual(parseAnyReference(`sha256:${id}`), { kind: 'id', id: `sha256:${id}` });
  const named: Array<[input: string, normalized: string]> = [
    ['redis', 'docker.io/library/redis'],
    ['redis:latest', 'docker.io/library/redis:latest'],
    [`redis@sha256:${id}`, `docker.io/library/redis@sha256:${id}`],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp'],
    ['docker.io/mcgowan/myapp:latest', 'docker.io/mcgowan/myapp:latest'],
    [id.slice(0, 63), `docker.io/library/${id.slice(0, 63)}`],
    ['dbcc1', 'docker.io/library/dbcc1'],
  ];
  for (const [input, normalized] of named) {
    const any = parseAnyReference(input);
    assert.equal(any.kind, 'named', input);
    if (any.kind === 'named') assert.equal(normalizedString(any.ref), normalized, input);
  }
});
