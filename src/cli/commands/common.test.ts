import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ellipsis, indentJson, truncateId } from './common.js';

test('indentJson re-indents without re-encoding', () => {
  const raw = '{"Id":"sha256:ab","RepoTags":["a:1"],"RepoDigests":[],"Config":{},"Comment":"\\u003cx\\u003e","Size":12345678901234567890}\n';
  assert.equal(
    indentJson(`[${raw}]`),
    '[\n    {\n        "Id": "sha256:ab",\n        "RepoTags": [\n            "a:1"\n        ],\n        "RepoDigests": [],\n        "Config": {},\n        "Comment": "\\u003cx\\u003e",\n        "Size": 12345678901234567890\n    }\n]',
  );
});

test('truncateId and ellipsis', () => {
  assert.equal(truncateId('sha256:cafd4149e3aabe2379623b56c35fbec2c7906e100dd7464731606b3e8f255ad9'), 'cafd4149e3aa');
  assert.equal(truncateId('<missing>'), '<missing>');
  assert.equal(ellipsis('abcdef', 4), 'abc…');
  assert.equal(ellipsis('abc', 4), 'abc');
});
