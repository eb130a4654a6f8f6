import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256 } from '../../lib/digest.js';
import { invalid, isEngineError } from '../../lib/errors.js';
import { holeBytes, isHole, isZero } from '../../lib/tar/zeros.js';
import { deserializeError, serializeError, type ExtractRequest } from './extract-layer.js';
import { extractInWorker } from './extract-pool.js';
import { TAR_SPLIT_FILE } from './tar-split.js';
import { makeTar, streamOf, tempDir } from './testing.js';

/** A fresh layer directory (with diff/) and the request to extract into it. */
function layerDir(root: string, name: string): ExtractRequest {
  const dir = join(root, name);
  mkdirSync(join(dir, 'diff'), { recursive: true });
  return { layerDir: dir, apply: { whiteouts: 'overlay', lowers: [] }, measureTree: true };
}

/** `data`, then a failure with `err` instead of the end. */
function failingAfter(data: Buffer, err: Error): Readable {
  return Readable.from((async function* () {
    yield data;
    throw err;
  })());
}

const BIG = Buffer.alloc(600 << 10, 7); // more than one batch, and a file written in pieces

describe('extraction in a worker thread', () => {
  test('extracts files with their metadata and records tar-split and the diff ID', async () => {
    const tmp = await tempDir('berth-pool-');
    try {
      const tar = await makeTar([
        { name: 'etc/', mode: 0o750 },
        { name: 'etc/hosts', content: 'localhost', mode: 0o640, uid: 12, gid: 34 },
        { name: 'big', content: BIG },
        { name: 'link', type: 'symlink', linkname: 'etc/hosts' },
      ]);
      const request = layerDir(tmp.path, 'a');
      const result = await extractInWorker(streamOf(tar), request);
      assert.equal(result.diffId, sha256(tar));
      assert.equal(result.tarSize, tar.length);
      const diff = join(request.layerDir, 'diff');
      assert.equal(readFileSync(join(diff, 'etc/hosts'), 'utf8'), 'localhost');
      const st = statSync(join(diff, 'etc/hosts'));
      assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, 12, 34]);
      assert.equal(statSync(join(diff, 'etc')).mode & 0o7777, 0o750);
      assert.ok(readFileSync(join(diff, 'big')).equals(BIG));
      assert.equal(result.size, 'localhost'.length + BIG.length + 'etc/hosts'.length);
      assert.ok(existsSync(join(request.layerDir, TAR_SPLIT_FILE)));
    } finally {
      await tmp.cleanup();
    }
  });

  test('holes (the shared zero buffer) reach the worker as lengths: same bytes, same diff ID, a sparse file', async () => {
    const tmp = await tempDir('berth-pool-');
    try {
      const MiB = 1 << 20;
      const size = 200 * MiB + 5; // more than one hole message, and an odd tail
      const content = Buffer.alloc(size);
      content.write('head', 0);
      content.write('middle', 100 * MiB + 3);
      content.write('tail', size - 4);
      const tar = await makeTar([{ name: 'disk.img', content }, { name: 'after', content: 'x' }]);
      // The tar as an exporter with holes hands it out: data pieces, and holes as holeBytes() of at most 1 MiB.
      const pieces: Buffer[] = [];
      for (let at = 0; at < tar.length; ) {
        const end = Math.min(tar.length, at + MiB);
        const piece = tar.subarray(at, end);
        pieces.push(isZero(piece) ? holeBytes(piece.length) : piece);
        at = end;
      }
      assert.ok(pieces.filter(isHole).length > 150, 'most of the tar goes as holes');
      const request = layerDir(tmp.path, 'sparse');
      const result = await extractInWorker(Readable.from(pieces), request);
      assert.equal(result.diffId, sha256(tar));
      assert.equal(result.tarSize, tar.length);
      const path = join(request.layerDir, 'diff', 'disk.img');
      assert.ok(readFileSync(path).equals(content), 'the file holds the same bytes');
      const st = statSync(path);
      assert.equal(st.size, size);
      assert.ok(st.blocks * 512 < 4 * MiB, `disk.img takes ${st.blocks * 512} bytes`);
      assert.equal(readFileSync(join(request.layerDir, 'diff', 'after'), 'utf8'), 'x');
    } finally {
      await tmp.cleanup();
    }
  });

  test('a malformed tar is refused as invalid, and the worker takes the next layer', async () => {
    const tmp = await tempDir('berth-pool-');
    try {
      const garbage = Buffer.alloc(1024, 0x41);
      await assert.rejects(extractInWorker(streamOf(garbage), layerDir(tmp.path, 'bad')), (err) => isEngineError(err, 'invalid'));
      const tar = await makeTar([{ name: 'ok', content: 'fine' }]);
      const request = layerDir(tmp.path, 'good');
      await extractInWorker(streamOf(tar), request);
      assert.equal(readFileSync(join(request.layerDir, 'diff/ok'), 'utf8'), 'fine');
    } finally {
      await tmp.cleanup();
    }
  });

  test("the input's failure is the extraction's: an engine error as it is, a stream error as an invalid tar", async () => {
    const tmp = await tempDir('berth-pool-');
    try {
      const tar = await makeTar([{ name: 'big', content: BIG }]);
      const half = tar.subarray(0, tar.length >> 1);
      const refusal = invalid('filesystem layer verification failed for digest sha256:00');
      await assert.rejects(extractInWorker(failingAfter(half, refusal), layerDir(tmp.path, 'a')), (err) => err === refusal);
      await assert.rejects(
        extractInWorker(failingAfter(half, new Error('unexpected end of file')), layerDir(tmp.path, 'b')),
        (err) => isEngineError(err, 'invalid') && /unexpected end of file/.test(err.message),
      );
    } finally {
      await tmp.cleanup();
    }
  });

  test('a truncated tar is an invalid layer', async () => {
    const tmp = await tempDir('berth-pool-');
    try {
      const tar = await makeTar([{ name: 'big', content: BIG }]);
      await assert.rejects(extractInWorker(streamOf(tar.subarray(0, 5000)), layerDir(tmp.path, 'a')), (err) => isEngineError(err, 'invalid'));
    } finally {
      await tmp.cleanup();
    }
  });

  test('errors cross the thread with their kind and errno fields', () => {
    const engine = deserializeError(serializeError(invalid('bad tar')));
    assert.ok(isEngineError(engine, 'invalid'));
    assert.equal(engine.message, 'bad tar');
    const sys = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const rebuilt = deserializeError(serializeError(sys)) as NodeJS.ErrnoException;
    assert.deepEqual([rebuilt.message, rebuilt.code, rebuilt.errno, rebuilt.syscall], [sys.message, 'ENOSPC', -28, 'write']);
  });
});
