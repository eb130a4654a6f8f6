import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readExitFile, waitExitFile } from './exit.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'berth-exit-test-'));
}

test('readExitFile gives the code, the time conmon wrote it and whether the OOM marker is there; null before it is written', async () => {
  const dir = await scratch();
  try {
    const file = join(dir, 'cid');
    const oom = join(dir, 'oom');
    assert.equal(await readExitFile(file, oom), null);
    await writeFile(file, 'not yet a number');
    assert.equal(await readExitFile(file, oom), null);
    await writeFile(file, '137\n');
    const written = new Date('2026-01-02T03:04:05.000Z');
    await utimes(file, written, written);
    assert.deepEqual(await readExitFile(file, oom), { exitCode: 137, exitedAt: written, oomKilled: false });
    await writeFile(oom, '');
    assert.equal((await readExitFile(file, oom))?.oomKilled, true);
    assert.equal((await readExitFile(file))?.oomKilled, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('waitExitFile resolves once conmon renames the exit file into place', async () => {
  const dir = await scratch();
  try {
    const file = join(dir, 'cid');
    const waiting = waitExitFile(file, { monitorAlive: async () => true, pollMs: 60_000 });
    await writeFile(join(dir, '.cid.tmp'), '3');
    await rename(join(dir, '.cid.tmp'), file);
    assert.equal((await waiting).exitCode, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
