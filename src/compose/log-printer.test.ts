import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogPrinter } from './log-printer.js';

function printer(options: { color: boolean; prefix: boolean; timestamps?: boolean }): { p: LogPrinter; out: string[] } {
  const out: string[] = [];
  return { p: new LogPrinter((t) => out.push(t), options), out };
}

test('prefixes are padded to the longest name plus one, as compose v2 pads them', () => {
  const { p, out } = printer({ color: false, prefix: true });
  p.register('db-1');
  p.register('wordpress-1');
  p.line('db-1', 'ready');
  p.line('wordpress-1', 'up');
  assert.deepEqual(out, ['db-1         | ready\n', 'wordpress-1  | up\n']);
});

test('colours come from the rainbow in registration order, around the prefix and status lines', () => {
  const { p, out } = printer({ color: true, prefix: true });
  p.register('a-1');
  p.register('b-1');
  p.line('b-1', 'x');
  p.status('a-1', 'exited with code 0');
  assert.deepEqual(out, ['\x1b[33mb-1  | \x1b[0mx\n', '\x1b[36ma-1 exited with code 0\x1b[0m\n']);
});

test('no prefix prints the bare line; timestamps go after the prefix', () => {
  const bare = printer({ color: false, prefix: false });
  bare.p.line('a-1', 'hello');
  assert.deepEqual(bare.out, ['hello\n']);
  const stamped = printer({ color: false, prefix: true, timestamps: true });
  stamped.p.line('a-1', 'hello', '2026-01-01T00:00:00.000000000Z');
  assert.deepEqual(stamped.out, ['a-1  | 2026-01-01T00:00:00.000000000Z hello\n']);
});
