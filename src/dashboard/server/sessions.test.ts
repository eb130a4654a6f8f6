import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csrfMatches, parseCookies, sessionCookie, SessionStore } from './sessions.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dash-sessions-'));
  dirs.push(dir);
  return join(dir, 'sessions.json');
}

test('a session is found by its token, survives a restart, and the file holds only digests (0600)', async () => {
  const path = await tempFile();
  const store = await SessionStore.open(path);
  const { token, session } = await store.create('alice');
  assert.equal(store.get(token)?.user, 'alice');
  assert.equal(store.get(`${token}x`), undefined);
  assert.equal(store.get(undefined), undefined);
  const text = await readFile(path, 'utf8');
  assert.ok(!text.includes(token), 'the token itself is not stored');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const reopened = await SessionStore.open(path);
  assert.equal(reopened.get(token)?.csrf, session.csrf);
  await reopened.destroy(token);
  assert.equal(reopened.get(token), undefined);
});

test('sessions end after the idle time and after their lifetime, and all of a user\'s at once', async () => {
  let now = 0;
  const store = await SessionStore.open(await tempFile(), { idleMs: 100, lifetimeMs: 250, now: () => now });
  const a = await store.create('alice');
  now = 90;
  assert.ok(store.get(a.token), 'used within the idle time');
  now = 180;
  assert.ok(store.get(a.token), 'idle time counts from the last use');
  now = 260;
  assert.equal(store.get(a.token), undefined, 'past the lifetime');
  const b = await store.create('bob');
  now = 361;
  assert.equal(store.get(b.token), undefined, 'idle too long');
  const c1 = await store.create('carol');
  const c2 = await store.create('carol');
  const d = await store.create('dave');
  await store.destroyUser('carol');
  assert.equal(store.get(c1.token), undefined);
  assert.equal(store.get(c2.token), undefined);
  assert.ok(store.get(d.token));
});

test('the CSRF check wants exactly the session\'s token', async () => {
  const store = await SessionStore.open(await tempFile());
  const { session } = await store.create('alice');
  assert.ok(csrfMatches(session, session.csrf));
  assert.ok(!csrfMatches(session, undefined));
  assert.ok(!csrfMatches(session, ''));
  assert.ok(!csrfMatches(session, `${session.csrf}x`));
  assert.ok(!csrfMatches(session, [session.csrf]));
});

test('cookies: HttpOnly and SameSite=Strict always, Secure over TLS; parsing ignores malformed values', () => {
  assert.equal(sessionCookie('abc', false), 'berth_session=abc; Path=/; HttpOnly; SameSite=Strict');
  assert.equal(sessionCookie('', true, 0), 'berth_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
  assert.deepEqual(parseCookies('a=1; berth_session=x%2By; bad=%E0%A4%A'), { a: '1', berth_session: 'x+y' });
  assert.deepEqual(parseCookies(undefined), {});
});
