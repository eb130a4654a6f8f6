import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../lib/digest.js';
import { hashFile, sha256Stream } from './sha256-stream.js';

describe('sha256 stream', () => {
  let dir: string | undefined;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const bytes = Buffer.alloc(3 * 1024 * 1024 + 7);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131) % 251;

  it('gives the sha256 of every piece fed, in order, and of a file', async () => {
    const hasher = sha256Stream();
    for (let at = 0; at < bytes.length; at += 100_000) await hasher.update(bytes.subarray(at, at + 100_000));
    assert.equal(await hasher.digest(), sha256(bytes));
    assert.equal(await sha256Stream().digest(), sha256(Buffer.alloc(0)), 'nothing fed');
    dir = await mkdtemp(join(tmpdir(), 'berth-sha256-'));
    await writeFile(join(dir, 'data'), bytes);
    assert.equal(await hashFile(join(dir, 'data')), sha256(bytes));
  });

  it('aborted, it gives no digest', async () => {
    const hasher = sha256Stream();
    await hasher.update(bytes);
    hasher.abort();
    assert.equal(await hasher.digest(), undefined);
  });
});
