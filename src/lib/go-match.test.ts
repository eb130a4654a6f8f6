import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goPathMatch } from './go-match.js';

test("Go's path.Match", () => {
  const cases: [string, string, boolean][] = [
    ['*.md', 'one.md', true],
    ['*.md', 'dir/one.md', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['[!a-c]x', 'dx', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['a.b', 'axb', false],
    ['busybox:*', 'busybox:latest', true],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(goPathMatch(pattern, name), expected, `${pattern} ~ ${name}`);
  assert.throws(() => goPathMatch('[abc', 'a'), /syntax error in pattern/);
});
