import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetachKeyFilter, parseDetachKeys } from './detach-keys.js';
import { parseNanoCpus, parseGoDuration, ramInBytes } from './values.js';
import { parseRestartPolicy, parseUlimit } from './container.js';

test('detach keys as docker parses them', () => {
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,b')], [1, 98]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-_')], [0, 27, 31]);
  assert.throws(() => parseDetachKeys('ctrl-xx'), /Unknown character: 'ctrl-xx'/);
});

test('detach filter swallows the sequence, even split across chunks', () => {
  const filter = new DetachKeyFilter(parseDetachKeys('ctrl-p,ctrl-q'));
  assert.deepEqual(filter.filter(Buffer.from('ab\x10')), { data: Buffer.from('ab'), detached: false });
  assert.deepEqual(filter.filter(Buffer.from('\x11')), { data: Buffer.alloc(0), detached: true });
  const other = new DetachKeyFilter(parseDetachKeys('ctrl-p,ctrl-q'));
  assert.deepEqual(other.filter(Buffer.from('\x10x')), { data: Buffer.from('\x10x'), detached: false });
});

test('sizes, durations and cpus', () => {
  assert.equal(ramInBytes('64m'), 67108864);
  assert.equal(ramInBytes('1.5g'), 1610612736);
  assert.equal(ramInBytes('100'), 100);
  assert.equal(ramInBytes('10MiB'), 10485760);
  assert.throws(() => ramInBytes('1x'), /invalid suffix: 'x'/);
  assert.throws(() => ramInBytes('-1'), /invalid size: '-1'/);
  assert.equal(parseGoDuration('1m30s'), 90e9);
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('250ms'), 250e6);
  assert.throws(() => parseGoDuration('5'), /missing unit in duration "5"/);
  assert.equal(parseNanoCpus('1.5'), 1500000000);
  assert.equal(parseNanoCpus('-1'), -1000000000);
  assert.throws(() => parseNanoCpus('0.0000000001'), /value is too precise/);
});

test('ulimits and restart policies', () => {
  assert.deepEqual(parseUlimit('nofile=1024'), { Name: 'nofile', Soft: 1024, Hard: 1024 });
  assert.throws(() => parseUlimit('nofile=2:1'), /soft limit must be less than or equal to hard limit: 2 > 1/);
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
  assert.throws(() => parseRestartPolicy(':3'), /no policy provided before colon/);
});
