import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterMatches, globMatch } from './filter.js';

describe('globMatch', () => {
  it('keeps * within one path segment and lets ** cross them', () => {
    assert.equal(globMatch('*', 'busybox'), true);
    assert.equal(globMatch('*', 'team/busybox'), false);
    assert.equal(globMatch('**', 'team/busybox'), true);
    assert.equal(globMatch('team/*', 'team/busybox'), true);
    assert.equal(globMatch('team/*', 'other/busybox'), false);
  });

  it('understands ?, alternatives, and takes dots literally', () => {
    assert.equal(globMatch('v?', 'v1'), true);
    assert.equal(globMatch('v?', 'v10'), false);
    assert.equal(globMatch('{latest,v1.*}', 'v1.2'), true);
    assert.equal(globMatch('{latest,v1.*}', 'latest'), true);
    assert.equal(globMatch('{latest,v1.*}', 'v2.0'), false);
    assert.equal(globMatch('v1.0', 'v1x0'), false);
  });

  it('refuses an unclosed alternative', () => {
    assert.throws(() => globMatch('{a,b', 'a'), /unclosed/);
  });
});

describe('filterMatches', () => {
  const filter = { project: 'library', repositories: 'bu*', tags: 'v*' };
  it('matches below the rule’s project only', () => {
    assert.equal(filterMatches(filter, 'library/busybox', 'v1'), true);
    assert.equal(filterMatches(filter, 'library/busybox', 'latest'), false);
    assert.equal(filterMatches(filter, 'library/alpine', 'v1'), false);
    assert.equal(filterMatches(filter, 'other/busybox', 'v1'), false);
    assert.equal(filterMatches(filter, 'librarybusybox', 'v1'), false);
  });
});
