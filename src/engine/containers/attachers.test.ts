import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { PendingAttachments } from './attachers.js';
import type { AttachStreams } from '../runtime/types.js';

function liveRuntimeStreams(): AttachStreams & { closed: number; stdout: PassThrough } {
  const live = {
    stdin: new Writable({ write: (_c, _e, cb) => cb() }),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    closed: 0,
    close: () => {
      live.closed++;
    },
  };
  return live;
}

test('an attachment made before start and closed after it closes the runtime streams, even through a copy of its streams', async () => {
  const attachments = new PendingAttachments();
  // The service hands out {...streams, tty}: the copy's close must reach what connect wires later.
  const streams = { ...attachments.add('c1', { stdin: false, stdout: true, stderr: true, logs: false, stream: true }), tty: false };
  const live = liveRuntimeStreams();
  await attachments.connect('c1', async () => live);
  live.stdout.end('out');
  let text = '';
  for await (const chunk of streams.stdout!) text += String(chunk);
  assert.equal(text, 'out');
  streams.close();
  assert.equal(live.closed, 1);
});

test('an attachment closed before start is dropped: connect wires nothing for it', async () => {
  const attachments = new PendingAttachments();
  const streams = attachments.add('c1', { stdin: false, stdout: true, stderr: false, logs: false, stream: true });
  streams.close();
  let attached = 0;
  await attachments.connect('c1', async () => {
    attached++;
    return liveRuntimeStreams();
  });
  assert.equal(attached, 0);
});
