import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './dockerfile/parser.js';
import { stagesToBuild } from './stages.js';

const DOCKERFILE = [
  'ARG BASE=base',
  'FROM busybox AS base',
  'FROM busybox AS unused',
  'RUN exit 1',
  'FROM ${BASE} AS app',
  'COPY --from=0 /a /a',
  'FROM busybox AS tools',
  'FROM app',
  'COPY --from=tools /t /t',
].join('\n');

const expand = (word: string) => word.replace('${BASE}', 'base');

test('the target and the stages it uses, by FROM and COPY --from (name or index), in file order', () => {
  const df = parseDockerfile(DOCKERFILE);
  assert.deepEqual(stagesToBuild(df, undefined, expand), [0, 2, 3, 4]);
  assert.deepEqual(stagesToBuild(df, 'app', expand), [0, 2]);
  assert.deepEqual(stagesToBuild(df, 'UNUSED', expand), [1], 'target names are case-insensitive');
  assert.throws(() => stagesToBuild(df, 'nosuch', expand), /failed to reach build target nosuch in Dockerfile/);
});

test('a stage cannot use a later one: the name then means an image', () => {
  const df = parseDockerfile('FROM later AS first\nFROM busybox AS later\n');
  assert.deepEqual(stagesToBuild(df, 'first', (w) => w), [0]);
});
