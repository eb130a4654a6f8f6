import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readTar } from './read.js';
import { TarTerminator } from './terminate.js';
import { makeTar } from './testing.js';

async function names(bytes: Buffer): Promise<string[]> {
  const reader = await readTar(Readable.from([bytes]).pipe(new TarTerminator()));
  const out: string[] = [];
  for await (const entry of reader.entries()) {
    let body = '';
    for await (const chunk of entry.body) body += chunk.toString();
    out.push(`${entry.header.name}=${body}`);
  }
  return out;
}

test('a complete archive passes through unchanged', async () => {
  const tar = await makeTar([{ name: 'a', content: 'one' }, { name: 'b', content: 'two' }]);
  assert.deepEqual(await names(tar), ['a=one', 'b=two']);
});

test('an archive ending right after the last content (no padding, no end blocks) is completed', async () => {
  const tar = await makeTar([{ name: 'a', content: 'one' }, { name: 'b', content: 'two' }]);
  const cut = tar.subarray(0, 512 * 3 + 3); // header a, block a, header b, "two"
  assert.deepEqual(await names(cut), ['a=one', 'b=two']);
  assert.deepEqual(await names(tar.subarray(0, 512 * 4)), ['a=one', 'b=two'], 'padding present, end blocks missing');
});

test('an archive cut inside content or a header stays truncated', async () => {
  const tar = await makeTar([{ name: 'a', content: 'x'.repeat(1000) }]);
  await assert.rejects(names(tar.subarray(0, 512 + 700)));
  await assert.rejects(names(tar.subarray(0, 300)));
});
