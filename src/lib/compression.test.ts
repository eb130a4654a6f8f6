import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { decompress, detectCompression, peek, readCapped, parseJson } from './compression.js';
import { isEngineError } from './errors.js';

const text = (stream: Readable) => readCapped(stream, 1 << 20, 'test').then((b) => b.toString());

test('peek returns the head and leaves the whole stream readable', async () => {
  const source = Readable.from([Buffer.from('ab'), Buffer.from('cdef'), Buffer.from('gh')]);
  const { head, stream } = await peek(source, 3);
  assert.equal(head.toString(), 'abc');
  assert.equal(await text(stream), 'abcdefgh');
});

test('peek of a stream shorter than asked', async () => {
  const { head, stream } = await peek(Readable.from([Buffer.from('x')]), 6);
  assert.equal(head.toString(), 'x');
  assert.equal(await text(stream), 'x');
});

test('decompress detects gzip and passes plain data through', async () => {
  const gz = await decompress(Readable.from([gzipSync(Buffer.from('hello tar'))]));
  assert.equal(gz.compression, 'gzip');
  assert.equal(await text(gz.stream), 'hello tar');
  const plain = await decompress(Readable.from([Buffer.from('plain data')]));
  assert.equal(plain.compression, 'none');
  assert.equal(await text(plain.stream), 'plain data');
  assert.equal(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
});

test('readCapped and parseJson refuse what they must', async () => {
  await assert.rejects(readCapped(Readable.from([Buffer.alloc(10)]), 5, 'body'), (e) => isEngineError(e, 'invalid'));
  assert.throws(() => parseJson('{', 'x'), (e) => isEngineError(e, 'invalid') && /invalid JSON in x/.test(e.message));
});
