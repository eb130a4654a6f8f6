import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { sendFileRange, writeStreamAt } from './file-streams.js';

/** Spans several send buffers (1 MiB each) and ends mid-buffer. */
const BYTES = randomBytes(5 * 1024 * 1024 + 123);

/**
 * Keeps what it was given by reference and acknowledges each write late, so
 * a buffer reused before its write callback would show up as wrong bytes.
 */
function lateSink(): { sink: Writable; received: () => Buffer } {
  const kept: Buffer[] = [];
  const copies: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      kept.push(chunk);
      setTimeout(() => {
        copies.push(Buffer.from(chunk));
        done();
      }, 2);
    },
  });
  return { sink, received: () => Buffer.concat(copies) };
}

describe('registry file streams', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-file-streams-'));
    file = join(dir, 'blob');
    await writeFile(file, BYTES);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('sends a whole file and ranges of it, never refilling a buffer the socket still holds', async () => {
    for (const [start, end] of [[0, BYTES.length - 1], [1, BYTES.length - 2], [3 * 1024 * 1024, 3 * 1024 * 1024], [100, 2 * 1024 * 1024 + 7]] as const) {
      const { sink, received } = lateSink();
      const finished = new Promise((resolve) => sink.on('finish', resolve));
      await sendFileRange(file, start, end, sink);
      await finished;
      assert.ok(received().equals(BYTES.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
  });

  it('fails when the file is shorter than the range', async () => {
    const { sink } = lateSink();
    await assert.rejects(sendFileRange(file, 0, BYTES.length + 10, sink), /ended at/);
  });

  it('stops when the receiver is gone', async () => {
    const sink = new Writable({ write: (_chunk, _enc, done) => setTimeout(done, 5) });
    const sending = sendFileRange(file, 0, BYTES.length - 1, sink);
    sink.destroy();
    await assert.rejects(sending);
  });

  it('writes a stream at an offset, in small and large pieces, showing each piece in order', async () => {
    const target = join(dir, 'upload');
    await writeFile(target, BYTES.subarray(0, 10));
    const pieces = [BYTES.subarray(10, 11), BYTES.subarray(11, 3 * 1024 * 1024), ...chop(BYTES.subarray(3 * 1024 * 1024), 1000)];
    const seen: Buffer[] = [];
    const written = await writeStreamAt(target, 10, Readable.from(pieces), (piece) => seen.push(piece));
    assert.equal(written, BYTES.length - 10);
    assert.ok(Buffer.concat(seen).equals(BYTES.subarray(10)));
    assert.ok((await readFile(target)).equals(BYTES));
  });

  it('starts writeback of a long upload while it streams in, every 16 MiB, without holding up the writes', async () => {
    const target = join(dir, 'long');
    await writeFile(target, '');
    const big = randomBytes(40 * 1024 * 1024);
    const synced: number[] = [];
    // Paced like a client on the network, so a sync can finish before the next 16 MiB are in.
    const body = Readable.from((async function* () {
      for (const piece of chop(big, 1024 * 1024)) {
        yield piece;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })());
    const written = await writeStreamAt(target, 0, body, () => undefined, (to) => synced.push(to));
    assert.equal(written, big.length);
    assert.ok((await readFile(target)).equals(big));
    assert.ok(synced.length >= 1, 'at least one background fdatasync');
    assert.ok(synced.every((to) => to >= 16 * 1024 * 1024 && to <= big.length), synced.join(','));
  });

  it('passes on a failing body once nothing is left in flight', async () => {
    const target = join(dir, 'broken');
    await writeFile(target, '');
    const body = Readable.from((async function* () {
      yield BYTES.subarray(0, 2 * 1024 * 1024);
      throw new Error('client went away');
    })());
    await assert.rejects(writeStreamAt(target, 0, body, () => undefined), /client went away/);
  });
});

function chop(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}
