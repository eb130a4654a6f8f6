import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanPath, parseDockerignore, PatternMatcher } from './dockerignore.js';
import { isEngineError } from './errors.js';

function assertInvalid(run: () => unknown, message: string): void {
  assert.throws(run, (err: unknown) => isEngineError(err, 'invalid') && err.message === message);
}

describe('parseDockerignore', () => {
  test('reads patterns as moby’s ignorefile reader does', () => {
    const content = 'test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ';
    assert.deepEqual(parseDockerignore(content), ['test1', 'test2', 'a/file/here', 'lastfile', '!inverted/abs/path', '!', '!']);
  });

  test('cleans each pattern and keeps only column-1 comments', () => {
    const content = '\ufeff# comment\r\n  ./a/../b/  \r\n  #not-a-comment\r\n/\r\n//x//y/\r\n!./keep/./me\r\n..\r\n';
    assert.deepEqual(parseDockerignore(content), ['b', '#not-a-comment', '/', 'x/y', '!keep/me', '..']);
  });

  test('an empty file has no patterns', () => {
    assert.deepEqual(parseDockerignore(''), []);
    assert.deepEqual(parseDockerignore('\n\n# only comments\n'), []);
  });
});

describe('cleanPath', () => {
  const cases: [string, string][] = [
    ['', '.'],
    ['.', '.'],
    ['a/../..', '..'],
    ['../a', '../a'],
    ['/..', '/'],
    ['/a/b/../c', '/a/c'],
    ['a//b/./c/', 'a/b/c'],
    ['!a/../b', 'b'],
  ];
  for (const [path, cleaned] of cases) test(`${JSON.stringify(path)} → ${cleaned}`, () => assert.equal(cleanPath(path), cleaned));
});

describe('PatternMatcher.matches (moby’s MatchesOrParentMatches table)', () => {
  const cases: [string, string, boolean][] = [
    ['**', 'file', true],
    ['**', 'file/', true],
    ['**/', 'file', true],
    ['**/', 'file/', true],
    ['**', '/', true],
    ['**/', '/', true],
    ['**', 'dir/file', true],
    ['**/', 'dir/file', true],
    ['**', 'dir/file/', true],
    ['**/', 'dir/file/', true],
    ['**/**', 'dir/file', true],
    ['**/**', 'dir/file/', true],
    ['dir/**', 'dir/file', true],
    ['dir/**', 'dir/file/', true],
    ['dir/**', 'dir/dir2/file', true],
    ['dir/**', 'dir/dir2/file/', true],
    ['**/dir', 'dir', true],
    ['**/dir', 'dir/file', true],
    ['**/dir2/*', 'dir/dir2/file', true],
    ['**/dir2/*', 'dir/dir2/file/', true],
    ['**/dir2/**', 'dir/dir2/dir3/file', true],
    ['**/dir2/**', 'dir/dir2/dir3/file/', true],
    ['**file', 'file', true],
    ['**file', 'dir/file', true],
    ['**/file', 'dir/file', true],
    ['**file', 'dir/dir/file', true],
    ['**/file', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file.txt', true],
    ['**/file*txt', 'dir/dir/file.txt', true],
    ['**/file*.txt', 'dir/dir/file.txt', true],
    ['**/file*.txt*', 'dir/dir/file.txt', true],
    ['**/**/*.txt', 'dir/dir/file.txt', true],
    ['**/**/*.txt2', 'dir/dir/file.txt', false],
    ['**/*.txt', 'file.txt', true],
    ['**/**/*.txt', 'file.txt', true],
    ['a**/*.txt', 'a/file.txt', true],
    ['a**/*.txt', 'a/dir/file.txt', true],
    ['a**/*.txt', 'a/dir/dir/file.txt', true],
    ['a/*.txt', 'a/dir/file.txt', false],
    ['a/*.txt', 'a/file.txt', true],
    ['a/*.txt**', 'a/file.txt', true],
    ['a[b-d]e', 'ae', false],
    ['a[b-d]e', 'ace', true],
    ['a[b-d]e', 'aae', false],
    ['a[^b-d]e', 'aze', true],
    ['.*', '.foo', true],
    ['.*', 'foo', false],
    ['abc.def', 'abcdef', false],
    ['abc.def', 'abc.def', true],
    ['abc.def', 'abcZdef', false],
    ['abc?def', 'abcZdef', true],
    ['abc?def', 'abcdef', false],
    ['**/foo/bar', 'foo/bar', true],
    ['**/foo/bar', 'dir/foo/bar', true],
    ['**/foo/bar', 'dir/dir2/foo/bar', true],
    ['abc/**', 'abc', false],
    ['abc/**', 'abc/def', true],
    ['abc/**', 'abc/def/ghi', true],
    ['**/.foo', '.foo', true],
    ['**/.foo', 'bar.foo', false],
    ['a(b)c/def', 'a(b)c/def', true],
    ['a(b)c/def', 'a(b)c/xyz', false],
    ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
    ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
    ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
    ['a\\\\', 'a\\', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['a]b', 'a]b', true],
  ];
  for (const [pattern, path, expected] of cases) {
    test(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(new PatternMatcher([pattern]).matches(path), expected);
    });
  }

  const multi: [string[], string, boolean][] = [
    [['**', '!util/docker/web'], 'util/docker/web/foo', false],
    [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
    [['**', '!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
    [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
    [['!fileutils.go', '*.go'], 'fileutils.go', true],
    [['*.go', '!fileutils.go'], 'fileutils.go', false],
    [['docs', '!docs/README.md'], 'docs/README.md', false],
    [['docs/', '!docs/README.md'], 'docs/README.md', false],
    [['docs/*', '!docs/README.md'], 'docs/README.md', false],
    [['docs', '!docs/README.md'], 'docs/other.md', true],
    [['*.go'], '.', false],
    [[], 'any/path/there', false],
    [['  docs  ', '  !docs/README.md  '], 'docs/README.md', false],
  ];
  for (const [patterns, path, expected] of multi) {
    test(`${JSON.stringify(patterns)} ${expected ? 'excludes' : 'keeps'} ${path}`, () => {
      assert.equal(new PatternMatcher(patterns).matches(path), expected);
    });
  }
});

describe('Go filepath.Match semantics (moby’s copy of Go’s tests)', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', true],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['[[]', '[', true],
    ['[a^]', '^', true],
    ['*x', 'xxx', true],
  ];
  for (const [pattern, path, expected] of cases) {
    test(`Match(${pattern}, ${path}) = ${expected}`, () => assert.equal(new PatternMatcher([pattern]).matches(path), expected));
  }

  // A reversed range is valid to Go's Match, but moby compiles patterns to Go regexps, which refuse it.
  const malformed = ['[]a]', '[-]', '[x-]', '[-x]', '\\', '[a-b-c]', '[', '[^', '[^bc', 'a[', '[z-a]', '[Local-Only]/'];
  for (const pattern of malformed) {
    test(`${pattern} is a syntax error`, () => {
      assertInvalid(() => new PatternMatcher(['valid', pattern]), `syntax error in pattern: ${cleanPath(pattern)}`);
    });
  }

  test('a lone ! is not a pattern', () => {
    assertInvalid(() => new PatternMatcher(['!']), 'illegal exclusion pattern: "!"');
    assertInvalid(() => new PatternMatcher(parseDockerignore('a\n ! \n')), 'illegal exclusion pattern: "!"');
  });
});

describe('the reference’s .dockerignore examples', () => {
  test('*/temp*, */*/temp*, temp?', () => {
    const matcher = new PatternMatcher(parseDockerignore('# comment\n*/temp*\n*/*/temp*\ntemp?\n'));
    const expectations: [string, boolean][] = [
      ['somedir/temporary.txt', true],
      ['somedir/temp', true],
      ['somedir/temp/inside', true],
      ['somedir/subdir/temporary.txt', true],
      ['tempa', true],
      ['tempb', true],
      ['temp', false],
      ['temporary.txt', false],
      ['a/b/c/temp', false],
      ['somedir/other.txt', false],
    ];
    for (const [path, excluded] of expectations) assert.equal(matcher.matches(path), excluded, path);
  });

  test('**/*.go excludes Go files at any depth, the root included', () => {
    const matcher = new PatternMatcher(['**/*.go']);
    for (const path of ['main.go', 'a/b.go', 'a/b/c/d.go']) assert.equal(matcher.matches(path), true, path);
    assert.equal(matcher.matches('a/b.go.txt'), false);
  });

  test('exceptions: the last matching line decides', () => {
    const first = new PatternMatcher(parseDockerignore('*.md\n!README*.md\nREADME-secret.md\n'));
    assert.deepEqual(['a.md', 'README.md', 'README-x.md', 'README-secret.md', 'docs/a.md'].map((p) => first.matches(p)), [true, false, false, true, false]);
    const second = new PatternMatcher(parseDockerignore('*.md\nREADME-secret.md\n!README*.md\n'));
    assert.deepEqual(['a.md', 'README.md', 'README-secret.md'].map((p) => second.matches(p)), [true, false, false]);
  });

  test('/foo/bar and foo/bar both exclude foo/bar only', () => {
    for (const pattern of ['/foo/bar', 'foo/bar']) {
      const matcher = new PatternMatcher(parseDockerignore(pattern));
      assert.deepEqual(['foo/bar', 'foo/bar/x', 'foo', 'x/foo/bar', 'foo/barx'].map((p) => matcher.matches(p)), [true, true, false, false, false]);
    }
  });

  test('* then exceptions lists what to include', () => {
    const matcher = new PatternMatcher(parseDockerignore('*\n!src\n!package.json\n'));
    assert.deepEqual(['src/a.ts', 'package.json', 'README.md', 'node_modules/x'].map((p) => matcher.matches(p)), [false, false, true, true]);
  });

  test('the pattern . is ignored', () => {
    const matcher = new PatternMatcher(parseDockerignore('.\n./\n'));
    assert.deepEqual(['a', 'a/b', '.'].map((p) => matcher.matches(p)), [false, false, false]);
  });

  test('paths are cleaned before matching', () => {
    const matcher = new PatternMatcher(['a/b']);
    assert.equal(matcher.matches('./a//b/'), true);
  });
});

describe('exclusions and mayMatchExceptionBelow', () => {
  test('exclusions tells whether any pattern is an exception', () => {
    assert.equal(new PatternMatcher(['docs', 'config']).exclusions, false);
    assert.equal(new PatternMatcher(['docs', '!docs/README.md']).exclusions, true);
    assert.equal(new PatternMatcher(['docs', '  !docs/README.md']).exclusions, true);
  });

  const cases: [string[], string, boolean][] = [
    [['docs', '!docs/README.md'], 'docs', true],
    [['docs', '!docs/README.md'], 'src', false],
    [['docs', '!docs/README.md'], 'docs/sub', false],
    [['docs'], 'docs', false],
    [['*', '!**/*.go'], 'anything/deep', true],
    [['*', '!src/*/keep'], 'src', true],
    [['*', '!src/*/keep'], 'src/a', true],
    [['*', '!src/*/keep'], 'src/a/b', false],
    [['*', '!src/*/keep'], 'lib', false],
    [['*', '!*/keep'], 'x', true],
    [['*', '!s[a-c]/x'], 'sb', true],
    [['*', '!s[a-c]/x'], 'sd', false],
    [['*', '!a/b**/c'], 'a', true],
    [['*', '!a'], 'a', false],
  ];
  for (const [patterns, dir, expected] of cases) {
    test(`${JSON.stringify(patterns)}: below ${dir} ${expected ? 'may' : 'cannot'} be re-included`, () => {
      assert.equal(new PatternMatcher(patterns).mayMatchExceptionBelow(dir), expected);
    });
  }
});
