import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolateString, interpolateTree, interpolationFailure } from './interpolate.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '', FOO: 'foo' };
const lookup = (name: string) => env[name];
const run = (text: string) => interpolateString(text, lookup);

test('plain and braced variables, unset ones become empty with a warning', () => {
  const unset: string[] = [];
  assert.equal(interpolateString('a $SET b ${SET}c $NOPE.', lookup, (n) => unset.push(n)), 'a value b valuec .');
  assert.deepEqual(unset, ['NOPE']);
});

test('defaults: `:-` covers unset or empty, `-` only unset', () => {
  assert.equal(run('${EMPTY:-d}'), 'd');
  assert.equal(run('${EMPTY-d}'), '');
  assert.equal(run('${NOPE-d}'), 'd');
  assert.equal(run('${SET:-d}'), 'value');
});

test('alternatives: `:+` when set and non-empty, `+` when set', () => {
  assert.equal(run('${SET:+alt}'), 'alt');
  assert.equal(run('${EMPTY:+alt}'), '');
  assert.equal(run('${EMPTY+alt}'), 'alt');
  assert.equal(run('${NOPE+alt}'), '');
});

test('required variables fail with their message', () => {
  assert.throws(() => run('${EMPTY:?must be set}'), /required variable EMPTY is missing a value: must be set/);
  assert.equal(run('${EMPTY?err}'), '');
  assert.throws(() => run('${NOPE?err}'), /required variable NOPE is missing a value: err/);
});

test('nesting as the spec shows: ${VARIABLE:-${FOO}}, ${VARIABLE?$FOO}, ${VARIABLE:-${FOO:-default}}', () => {
  assert.equal(run('${NOPE:-${FOO}}'), 'foo');
  assert.throws(() => run('${NOPE?$FOO}'), /missing a value: foo/);
  assert.equal(run('${NOPE:-${NADA:-default}}'), 'default');
});

test('$$ is a literal dollar and a lone $ stays', () => {
  assert.equal(run('$$VAR_NOT_INTERPOLATED_BY_COMPOSE'), '$VAR_NOT_INTERPOLATED_BY_COMPOSE');
  assert.equal(run('cost: 5$ or $1'), 'cost: 5$ or $1');
});

test('bad syntax is an error', () => {
  assert.throws(() => run('${SET'), /invalid interpolation format/);
  assert.throws(() => run('${SET/a/b}'), /invalid interpolation format/);
  assert.throws(() => run('${}'), /invalid interpolation format/);
});

test('trees: values only, never keys; errors name the key path', () => {
  const tree = { services: { web: { image: 'x:${SET}', labels: { $SET: '$FOO' }, ports: ['${FOO}'] } } };
  const out = interpolateTree(tree, lookup, () => {}, (p, e) => interpolationFailure('f.yaml:3: ', p, e));
  assert.deepEqual(out, { services: { web: { image: 'x:value', labels: { $SET: 'foo' }, ports: ['foo'] } } });
  assert.throws(
    () => interpolateTree({ services: { web: { ports: ['${X'] } } }, lookup, () => {}, (p, e) => interpolationFailure('f.yaml:3: ', p, e)),
    /^EngineError: f.yaml:3: invalid interpolation format for services.web.ports\[0\]/,
  );
});
