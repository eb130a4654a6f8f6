import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration } from './go-duration.js';

test('parses Go durations into nanoseconds', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['-0', 0],
    ['30s', 30e9],
    ['1m30s', 90e9],
    ['1h2m3s4ms5us6ns', 3723004005006],
    ['500ms', 500e6],
    ['1.5s', 1.5e9],
    ['.5s', 0.5e9],
    ['5.s', 5e9],
    ['-1.5h', -5400e9],
    ['+10m', 600e9],
    ['3\u00b5s', 3000],
    ['3\u03bcs', 3000],
    ['1.000000001s', 1000000001],
    ['1.00000000000000000000000001s', 1e9],
  ];
  for (const [text, nanos] of cases) assert.equal(parseGoDuration(text), nanos, text);
});

test('rejects what Go rejects, with its messages', () => {
  const cases: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
    ['3x', 'time: unknown unit "x" in duration "3x"'],
    ['1 s', 'time: unknown unit " s" in duration "1 s"'],
    ['9999999999999999999s', 'time: invalid duration "9999999999999999999s"'],
  ];
  for (const [text, message] of cases) assert.throws(() => parseGoDuration(text), { message }, text);
});
