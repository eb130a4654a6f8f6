import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, matches, parseSelector } from './patterns.js';

describe('policy patterns (doublestar globs)', () => {
  it('keeps * inside one path segment and lets ** cross segments', () => {
    assert.ok(matches('*', 'busybox'));
    assert.ok(!matches('*', 'team/app'));
    assert.ok(matches('**', 'team/app'));
    assert.ok(matches('team/**', 'team/a/b'));
    assert.ok(!matches('team/**', 'other/a'));
    assert.ok(matches('team/*', 'team/app'));
  });

  it('matches whole names, with ? and {a,b} alternatives', () => {
    assert.ok(matches('v1.?', 'v1.2'));
    assert.ok(!matches('v1.?', 'v1.23'));
    assert.ok(!matches('v1', 'v10'));
    assert.ok(matches('{release,stable}-*', 'stable-2024'));
    assert.ok(!matches('{release,stable}-*', 'dev-2024'));
    // "." and other regex characters stand for themselves.
    assert.ok(!matches('v1.0', 'v1x0'));
    assert.ok(matches('a+b', 'a+b'));
  });

  it('refuses patterns that are empty, nested or unclosed', () => {
    assert.throws(() => globToRegExp(''), /non-empty/);
    assert.throws(() => globToRegExp('{a,{b}}'), /nested/);
    assert.throws(() => globToRegExp('{a,b'), /unclosed/);
    assert.deepEqual(parseSelector({}), { repositories: '**', tags: '**' });
    assert.throws(() => parseSelector({ tags: 5 }), /pattern/);
  });
});
