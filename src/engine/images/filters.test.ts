import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolFilter, checkFilterNames, globMatch, matchesLabels, parseTimeFilter } from './filters.js';
import { isEngineError } from '../../lib/errors.js';

test('globMatch follows Go path.Match', () => {
  assert.ok(globMatch('busy*', 'busybox'));
  assert.ok(globMatch('busybox:*', 'busybox:latest'));
  assert.ok(!globMatch('*', 'library/busybox'));
  assert.ok(globMatch('*/*', 'library/busybox'));
  assert.ok(globMatch('b?sybox', 'busybox'));
  assert.ok(globMatch('[a-c]usybox', 'busybox'));
  assert.ok(!globMatch('busy', 'busybox'));
});

test('labels, booleans, filter names and times', () => {
  assert.ok(matchesLabels({ a: '1', b: '2' }, ['a', 'b=2']));
  assert.ok(!matchesLabels({ a: '1' }, ['a=2']));
  assert.ok(!matchesLabels(null, ['a']));
  assert.equal(boolFilter(new Map([['dangling', ['true']]]), 'dangling'), true);
  assert.throws(() => boolFilter(new Map([['dangling', ['maybe']]]), 'dangling'), (e) => isEngineError(e, 'invalid'));
  assert.throws(() => checkFilterNames(new Map([['color', ['red']]]), ['label']), /Invalid filter 'color'/);
  assert.equal(parseTimeFilter('10', 0), 10_000);
  assert.equal(parseTimeFilter('1h', 3_600_000), 0);
  assert.equal(parseTimeFilter('2020-01-01T00:00:00Z'), Date.UTC(2020, 0, 1));
});
