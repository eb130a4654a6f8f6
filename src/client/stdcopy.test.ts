import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Demuxer, demultiplex, encodeFrame } from './stdcopy.js';

test('demuxer handles frames split anywhere, headers included', () => {
  const stream = Buffer.concat([encodeFrame(1, 'hello '), encodeFrame(2, 'oops'), encodeFrame(1, 'world')]);
  for (let cut = 1; cut < stream.length; cut++) {
    const out: Record<number, string> = { 1: '', 2: '' };
    const demuxer = new Demuxer((s, p) => (out[s] += p.toString()));
    demuxer.push(stream.subarray(0, cut));
    demuxer.push(stream.subarray(cut));
    assert.deepEqual(out, { 1: 'hello world', 2: 'oops' }, `cut at ${cut}`);
    assert.ok(demuxer.atBoundary);
  }
});

test('demultiplex routes streams and reports daemon errors', async () => {
  const collect = () => {
    const s = new PassThrough();
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    return { s, text: () => text };
  };
  const out = collect();
  const err = collect();
  await demultiplex(PassThrough.from([encodeFrame(1, 'a'), encodeFrame(2, 'b')]), out.s, err.s);
  assert.equal(out.text(), 'a');
  assert.equal(err.text(), 'b');
  await assert.rejects(demultiplex(PassThrough.from([encodeFrame(3, 'boom')]), out.s, err.s), /error from daemon in stream: boom/);
});
