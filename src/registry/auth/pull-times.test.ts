import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PullTimes } from './pull-times.js';

describe('pull times', () => {
  it('keeps the last pull of each manifest per repository across a reopen, and forgets a repository', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-pull-times-'));
    try {
      const path = join(dir, 'pull-times.json');
      const times = await PullTimes.open(path, () => undefined);
      assert.equal(times.last('p/app', 'sha256:a'), undefined);
      times.record('p/app', 'sha256:a', 1_000_000);
      times.record('p/app', 'sha256:a', 2_000_000);
      times.record('p/other', 'sha256:a', 3_000_000);
      await times.flush();
      assert.equal((await stat(path)).mode & 0o777, 0o600);

      const again = await PullTimes.open(path, () => undefined);
      assert.equal(again.last('p/app', 'sha256:a'), 2000);
      assert.equal(again.last('p/other', 'sha256:a'), 3000);
      again.forget('p/app');
      await again.flush();
      assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { 'p/other': { 'sha256:a': 3000 } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('forgets a removed manifest, and a repository whose last pulled manifest went', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-pull-times-'));
    try {
      const path = join(dir, 'pull-times.json');
      const times = await PullTimes.open(path, () => undefined);
      times.record('p/app', 'sha256:a', 1_000_000);
      times.record('p/app', 'sha256:b', 2_000_000);
      times.record('p/one', 'sha256:a', 3_000_000);
      times.forgetManifest('p/app', 'sha256:a');
      times.forgetManifest('p/one', 'sha256:a');
      times.forgetManifest('p/none', 'sha256:a');
      await times.flush();
      assert.equal(times.last('p/app', 'sha256:a'), undefined);
      assert.equal(times.last('p/app', 'sha256:b'), 2000);
      assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { 'p/app': { 'sha256:b': 2000 } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts empty from an unreadable file, saying so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-pull-times-'));
    try {
      const path = join(dir, 'pull-times.json');
      await writeFile(path, '{not json');
      const lines: string[] = [];
      const times = await PullTimes.open(path, (line) => lines.push(line));
      assert.equal(times.last('p/app', 'sha256:a'), undefined);
      assert.match(lines[0]!, /ignoring unreadable/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
