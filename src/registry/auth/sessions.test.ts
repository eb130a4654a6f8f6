import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cookieValue, SessionStore } from './sessions.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-reg-sessions-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('registry console sessions', () => {
  it('survive reopening the file, which holds only hashes of the IDs (mode 0600)', () =>
    withDir(async (dir) => {
      const path = join(dir, 'sessions.json');
      const first = await SessionStore.open(path);
      const id = await first.create('alice');
      const again = await SessionStore.open(path);
      assert.equal(again.subject(id), 'alice');
      assert.equal(again.subject('not-a-session'), undefined);
      const text = await readFile(path, 'utf8');
      assert.ok(!text.includes(id), 'the session ID itself is not stored');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
    }));

  it('end after the idle period or the lifetime, also across a reopen', () =>
    withDir(async (dir) => {
      const path = join(dir, 'sessions.json');
      let now = 1_000_000;
      const times = { idleMs: 1000, lifetimeMs: 5000, now: () => now };
      const store = await SessionStore.open(path, times);
      const id = await store.create('bob');
      now += 900;
      assert.equal(store.subject(id), 'bob', 'used within the idle period');
      now += 900;
      assert.equal(store.subject(id), 'bob', 'the last use counts, not the start');
      now += 1001;
      assert.equal(store.subject(id), undefined, 'idle too long');

      const kept = await store.create('carol');
      for (let i = 0; i < 6; i++) {
        now += 900;
        if (i < 5) assert.equal(store.subject(kept), 'carol');
      }
      assert.equal(store.subject(kept), undefined, 'older than the lifetime, however busy');

      const old = await store.create('dave');
      now += 2000;
      assert.equal((await SessionStore.open(path, times)).subject(old), undefined, 'an expired session is not loaded back');
    }));

  it('ends one session, or all of a user, and the file forgets them', () =>
    withDir(async (dir) => {
      const path = join(dir, 'sessions.json');
      const store = await SessionStore.open(path);
      const a1 = await store.create('alice');
      const a2 = await store.create('alice');
      const b = await store.create('bob');
      await store.delete(a1);
      assert.equal(store.subject(a1), undefined);
      assert.equal(store.subject(a2), 'alice');
      await store.deleteSubject('alice');
      const reopened = await SessionStore.open(path);
      assert.equal(reopened.subject(a2), undefined);
      assert.equal(reopened.subject(b), 'bob');
      assert.equal(reopened.size, 1);
    }));

  it('starts empty from a damaged file instead of refusing to start', () =>
    withDir(async (dir) => {
      const path = join(dir, 'sessions.json');
      await writeFile(path, '{not json');
      const store = await SessionStore.open(path);
      assert.equal(store.size, 0);
      const id = await store.create('erin');
      assert.equal((await SessionStore.open(path)).subject(id), 'erin');
    }));

  it('reads the session cookie out of a Cookie header', () => {
    assert.equal(cookieValue('a=1; berth_registry_session=xyz; b=2', 'berth_registry_session'), 'xyz');
    assert.equal(cookieValue(undefined, 'berth_registry_session'), undefined);
  });
});
