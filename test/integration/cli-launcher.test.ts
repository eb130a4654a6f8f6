/**
 * bin/berth's code cache: made by the first run under $XDG_CACHE_HOME/berth,
 * kept while V8 accepts it, remade when V8 rejects it, and never in the way
 * (an unusable cache directory only means no cache). Needs no daemon.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from './harness.js';
import { MANIFEST_FILE } from '../../scripts/bundle-cli.js';

const BERTH = path.join(ROOT, 'bin/berth');

function berth(cacheHome: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BERTH, ...args], { env: { ...process.env, XDG_CACHE_HOME: cacheHome } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

describe('berth launcher code cache', () => {
  let dir = '';
  let cacheFile = '';

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'berth-launcher-'));
    const { sha256 } = JSON.parse(await readFile(path.join(ROOT, MANIFEST_FILE), 'utf8')) as { sha256: string };
    cacheFile = path.join(dir, 'berth', `cli-${sha256.slice(0, 32)}-${process.version}-${process.arch}.v8`);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the first run writes a cache named after the bundle and Node; the next one uses it as is', async () => {
    const first = await berth(dir, '--version');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^berth version /);
    const made = await stat(cacheFile);
    assert.ok(made.size > 0);
    const second = await berth(dir, '--version');
    assert.equal(second.stdout, first.stdout);
    assert.equal((await stat(cacheFile)).mtimeMs, made.mtimeMs, 'an accepted cache is not rewritten');
    assert.deepEqual((await readdir(path.dirname(cacheFile))).filter((f) => f.endsWith('.tmp')), []);
  });

  test('a cache V8 rejects is replaced, and the command still runs', async () => {
    await writeFile(cacheFile, 'not a V8 code cache');
    const run = await berth(dir, '--version');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^berth version /);
    assert.notEqual((await readFile(cacheFile, 'utf8')).slice(0, 19), 'not a V8 code cache');
  });

  test('an unusable cache directory only means no cache', async () => {
    const notADir = path.join(dir, 'file');
    await writeFile(notADir, '');
    const run = await berth(notADir, 'help');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Usage:/);
    assert.equal(run.stderr, '');
  });
});
