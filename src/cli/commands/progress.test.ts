import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { JsonMessage } from '../../client/types.js';
import { displayProgress } from './progress.js';

async function render(messages: JsonMessage[], terminal: boolean): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await displayProgress({ out, terminal }, (async function* () { yield* messages; })());
  return text;
}

const PULL: JsonMessage[] = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'aaa' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'bbb' },
  { status: 'Downloading', progressDetail: { current: 5, total: 10 }, progress: '[==>  ] 5B/10B', id: 'aaa' },
  { status: 'Pull complete', progressDetail: {}, id: 'aaa' },
  { status: 'Digest: sha256:x' },
];

test('without a terminal: one line per status, byte progress left out', async () => {
  assert.equal(await render(PULL, false), 'latest: Pulling from library/busybox\naaa: Pulling fs layer\nbbb: Pulling fs layer\naaa: Pull complete\nDigest: sha256:x\n');
});

test('on a terminal: each layer keeps its line, rewritten in place', async () => {
  const text = await render(PULL, true);
  // aaa is two lines up from the bottom once bbb exists: up 2, rewrite, down 2.
  assert.ok(text.includes('\x1b[2A\x1b[2K\raaa: Downloading [==>  ] 5B/10B\r\x1b[2B'), JSON.stringify(text));
  assert.ok(text.endsWith('Digest: sha256:x\n'));
});

test('an error message ends the display with its text', async () => {
  await assert.rejects(render([{ errorDetail: { message: 'boom' }, error: 'boom' }], false), /boom/);
});
