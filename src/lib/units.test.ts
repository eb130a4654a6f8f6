import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSize, formatG, humanDuration, humanSize, humanSizeWithPrecision } from './units.js';

test('humanSizeWithPrecision matches go-units', () => {
  assert.equal(humanSizeWithPrecision(1982780, 3), '1.98MB');
  assert.equal(humanSizeWithPrecision(0, 3), '0B');
  assert.equal(humanSizeWithPrecision(7350, 3), '7.35kB');
  assert.equal(humanSizeWithPrecision(999, 3), '999B');
  assert.equal(humanSizeWithPrecision(999999, 3), '1e+03kB');
  assert.equal(humanSizeWithPrecision(1000, 3), '1kB');
});

test('humanSize uses four significant digits', () => {
  assert.equal(humanSize(1982780), '1.983MB');
  assert.equal(humanSize(1230000), '1.23MB');
});

test('bytesSize uses binary units', () => {
  assert.equal(bytesSize(23.54 * 1024 ** 3), '23.54GiB');
  assert.equal(bytesSize(512), '512B');
});

test('formatG follows Go %g', () => {
  assert.equal(formatG(0.00001234, 3), '1.23e-05');
  assert.equal(formatG(1.5, 3), '1.5');
  assert.equal(formatG(100, 3), '100');
});

test('humanDuration covers every bucket', () => {
  const s = 1000;
  const h = 3600 * s;
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(s), '1 second');
  assert.equal(humanDuration(30 * s), '30 seconds');
  assert.equal(humanDuration(60 * s), 'About a minute');
  assert.equal(humanDuration(3 * 60 * s), '3 minutes');
  assert.equal(humanDuration(h), 'About an hour');
  assert.equal(humanDuration(2 * h), '2 hours');
  assert.equal(humanDuration(50 * h), '2 days');
  assert.equal(humanDuration(21 * 24 * h), '3 weeks');
  assert.equal(humanDuration(125 * 24 * h), '4 months');
  assert.equal(humanDuration(800 * 24 * h), '2 years');
});
