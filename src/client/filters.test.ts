import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFilters, filtersFromFlags } from './filters.js';

test('filters encode as docker does: sorted keys, value sets', () => {
  const filters = filtersFromFlags(['reference=busy*', 'dangling=true', 'label=k=v', 'Label=a']);
  assert.equal(encodeFilters(filters), '{"dangling":{"true":true},"label":{"a":true,"k=v":true},"reference":{"busy*":true}}');
});

test('no filters means no parameter', () => {
  assert.equal(encodeFilters({}), undefined);
  assert.equal(encodeFilters(filtersFromFlags([''])), undefined);
});

test('HTML characters are escaped as Go does', () => {
  assert.equal(encodeFilters({ label: ['a<b>&'] }), '{"label":{"a\\u003cb\\u003e\\u0026":true}}');
});

test('a filter without = is rejected', () => {
  assert.throws(() => filtersFromFlags(['dangling']), /bad format of filter \(expected name=value\)/);
});
