import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync, linkSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256 } from '../../lib/digest.js';
import { lgetxattr, lsetxattr } from '../../platform/linux/sys.js';
import { applyTar } from './tar-apply.js';
import { exportOverlayDiff } from './tar-export.js';
import { makeOverlayWhiteout, markOpaque } from './whiteouts.js';
import { tempDir } from './testing.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
before(async () => (tmp = await tempDir('berth-tar-export-')));
after(async () => tmp.cleanup());

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

test('overlay diff → tar → extract keeps everything, byte for byte on re-export', async () => {
  const diff = join(tmp.path, 'diff');
  mkdirSync(join(diff, 'bin'), { recursive: true });
  mkdirSync(join(diff, 'var/cache'), { recursive: true });
  const capability = Buffer.from('0100000201200000000000000000000000000000', 'hex'); // binary, not UTF-8
  writeFileSync(join(diff, 'bin/ping'), 'ping');
  lsetxattr(join(diff, 'bin/ping'), 'security.capability', capability);
  chmodSync(join(diff, 'bin/ping'), 0o4755);
  linkSync(join(diff, 'bin/ping'), join(diff, 'bin/ping6'));
  symlinkSync('ping', join(diff, 'bin/p'));
  const longName = `${'n'.repeat(150)}-é`;
  writeFileSync(join(diff, longName), 'long');
  makeOverlayWhiteout(join(diff, 'bin/removed'));
  markOpaque(join(diff, 'var/cache'));
  utimesSync(join(diff, 'bin'), 1_600_000_000, 1_600_000_000);

  const tar = await collect(exportOverlayDiff(diff));
  assert.deepEqual(await collect(exportOverlayDiff(diff)), tar, 'reproducible');

  const out = join(tmp.path, 'out');
  mkdirSync(out);
  const { diffId } = await applyTar(Readable.from([tar]), out, { whiteouts: 'overlay' });
  assert.equal(diffId, sha256(tar));
  assert.deepEqual(lgetxattr(join(out, 'bin/ping'), 'security.capability'), capability);
  assert.equal(lstatSync(join(out, 'bin/ping')).mode & 0o7777, 0o4755);
  assert.equal(lstatSync(join(out, 'bin/ping6')).ino, lstatSync(join(out, 'bin/ping')).ino);
  assert.equal(readFileSync(join(out, longName), 'utf8'), 'long');
  assert.ok(lstatSync(join(out, 'bin/removed')).isCharacterDevice());
  assert.equal(lgetxattr(join(out, 'var/cache'), 'trusted.overlay.opaque')?.toString(), 'y');
  assert.equal(lstatSync(join(out, 'bin')).mtimeMs, 1_600_000_000_000);
  assert.deepEqual(await collect(exportOverlayDiff(out)), tar, 'export → extract → export is a fixed point');
});
