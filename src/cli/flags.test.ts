import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, parseFlags, type FlagSpec } from './flags.js';

const specs: FlagSpec[] = [
  { long: 'all', short: 'a', type: 'bool', usage: '' },
  { long: 'quiet', short: 'q', type: 'bool', usage: '' },
  { long: 'human', short: 'H', type: 'bool', usage: '', default: true },
  { long: 'filter', short: 'f', type: 'stringArray', usage: '' },
  { long: 'format', type: 'string', usage: '' },
  { long: 'tail', short: 'n', type: 'int', usage: '' },
];

test('short clusters, attached and separate values', () => {
  const p = parseFlags(['-aq', '-fdangling=true', '-f=label=a', '-f', 'x=y', 'img'], specs);
  assert.equal(p.flags.all, true);
  assert.equal(p.flags.quiet, true);
  assert.deepEqual(p.flags.filter, ['dangling=true', 'label=a', 'x=y']);
  assert.deepEqual(p.args, ['img']);
});

test('long flags with = or a separate value, and bool=false', () => {
  const p = parseFlags(['--format={{.ID}}', '--filter', 'a=b', '--human=false', '--tail', '5'], specs);
  assert.equal(p.flags.format, '{{.ID}}');
  assert.deepEqual(p.flags.filter, ['a=b']);
  assert.equal(p.flags.human, false);
  assert.equal(p.flags.tail, 5);
  assert.ok(p.changed.has('human'));
});

test('defaults apply when flags are absent', () => {
  const p = parseFlags([], specs);
  assert.equal(p.flags.human, true);
  assert.equal(p.flags.all, false);
  assert.deepEqual(p.flags.filter, []);
});

test('-- ends flags; interspersed mode decides about later flags', () => {
  assert.deepEqual(parseFlags(['a', '-q', '--', '-a'], specs).args, ['a', '-a']);
  const strict = parseFlags(['-a', 'busybox', '-q', 'sh'], specs, false);
  assert.deepEqual(strict.args, ['busybox', '-q', 'sh']);
  assert.equal(strict.flags.quiet, false);
  assert.deepEqual(parseFlags(['-'], specs).args, ['-']);
});

test('errors use pflag wording', () => {
  assert.throws(() => parseFlags(['--foo'], specs), new FlagError('unknown flag: --foo'));
  assert.throws(() => parseFlags(['-x'], specs), new FlagError("unknown shorthand flag: 'x' in -x"));
  assert.throws(() => parseFlags(['-ax'], specs), new FlagError("unknown shorthand flag: 'x' in -ax"));
  assert.throws(() => parseFlags(['--format'], specs), new FlagError('flag needs an argument: --format'));
  assert.throws(() => parseFlags(['-f'], specs), new FlagError("flag needs an argument: 'f' in -f"));
  assert.throws(() => parseFlags(['--all=maybe'], specs), /invalid argument "maybe" for "-a, --all" flag: strconv.ParseBool/);
  assert.throws(() => parseFlags(['-n', 'x'], specs), /invalid argument "x" for "-n, --tail" flag/);
});

test('validators produce invalid-argument errors', () => {
  const withValidator: FlagSpec[] = [
    {
      long: 'filter',
      short: 'f',
      type: 'stringArray',
      usage: '',
      validate: (v) => {
        if (!v.includes('=')) throw new Error('bad format of filter (expected name=value)');
      },
    },
  ];
  assert.throws(() => parseFlags(['-f', 'foo'], withValidator), {
    message: 'invalid argument "foo" for "-f, --filter" flag: bad format of filter (expected name=value)',
  });
});
