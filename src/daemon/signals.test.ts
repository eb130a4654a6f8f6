import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shutdownOnSignals } from './signals.js';

function harness(stop: () => Promise<void>) {
  const exits: number[] = [];
  const lines: string[] = [];
  const log = { info: (m: string) => void lines.push(m), error: (m: string) => void lines.push(`error: ${m}`) };
  return { exits, lines, handle: shutdownOnSignals(stop, log, (code) => void exits.push(code)) };
}

test('the first signal stops cleanly and exits 0; a failed stop exits 1', async () => {
  const clean = harness(async () => undefined);
  clean.handle('SIGTERM');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(clean.exits, [0]);
  const failing = harness(async () => { throw new Error('stuck mount'); });
  failing.handle('SIGINT');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(failing.exits, [1]);
  assert.match(failing.lines.at(-1)!, /shutdown failed: stuck mount/);
});

test('while a shutdown hangs, the second signal waits and the third forces exit 1', () => {
  let stops = 0;
  const { exits, lines, handle } = harness(() => { stops++; return new Promise<void>(() => undefined); });
  handle('SIGTERM');
  handle('SIGTERM');
  assert.deepEqual([stops, exits], [1, []]);
  handle('SIGINT');
  assert.deepEqual([stops, exits], [1, [1]]);
  assert.match(lines.at(-1)!, /forcing berthd shutdown without cleanup; 3 signals received/);
});
