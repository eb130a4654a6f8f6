import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accounts, roleAllows } from './accounts.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function open(): Promise<{ accounts: Accounts; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dash-accounts-'));
  dirs.push(dir);
  const path = join(dir, 'users.json');
  return { accounts: await Accounts.open(path), path };
}

test('users get bcrypt hashes, are verified by password, and persist', async () => {
  const { accounts, path } = await open();
  assert.ok(accounts.isEmpty());
  await accounts.create('admin', 'correct horse', 'admin');
  assert.equal((await accounts.verify('admin', 'correct horse'))?.role, 'admin');
  assert.equal(await accounts.verify('admin', 'wrong horse!'), undefined);
  assert.equal(await accounts.verify('nobody', 'correct horse'), undefined);
  const text = await readFile(path, 'utf8');
  assert.match(text, /"\$2[aby]\$10\$/);
  assert.ok(!text.includes('correct horse'));
  const reopened = await Accounts.open(path);
  assert.deepEqual(reopened.list().map((u) => u.name), ['admin']);
});

test('passwords shorter than 8 characters, bad names, unknown roles and duplicates are refused', async () => {
  const { accounts } = await open();
  await assert.rejects(accounts.create('alice', 'short', 'viewer'), /at least 8 characters/);
  await assert.rejects(accounts.create('../etc', 'long enough', 'viewer'), /user name/);
  await assert.rejects(accounts.create('alice', 'long enough', 'root'), /role must be one of/);
  await accounts.create('alice', 'long enough', 'viewer');
  await assert.rejects(accounts.create('alice', 'long enough', 'viewer'), /already exists/);
  await assert.rejects(accounts.update('alice', { password: 'short' }), /at least 8/);
});

test('the last admin can be neither removed nor demoted', async () => {
  const { accounts } = await open();
  await accounts.create('root', 'long enough', 'admin');
  await accounts.create('op', 'long enough', 'operator');
  await assert.rejects(accounts.remove('root'), /last admin/);
  await assert.rejects(accounts.update('root', { role: 'viewer' }), /last admin/);
  await accounts.update('op', { role: 'admin' });
  await accounts.update('root', { role: 'viewer' });
  await accounts.remove('root');
  assert.deepEqual(accounts.list().map((u) => `${u.name}:${u.role}`), ['op:admin']);
  await assert.rejects(accounts.remove('root'), /no such user/);
});

test('roles: admin ⊇ operator ⊇ viewer', () => {
  assert.ok(roleAllows('admin', 'operator'));
  assert.ok(roleAllows('operator', 'operator'));
  assert.ok(roleAllows('operator', 'viewer'));
  assert.ok(!roleAllows('viewer', 'operator'));
  assert.ok(!roleAllows('operator', 'admin'));
});

test('first-run setup makes one admin, even when two setups race while their passwords are hashed', async () => {
  const { accounts } = await open();
  const results = await Promise.allSettled([accounts.createFirstAdmin('alice', 'first password'), accounts.createFirstAdmin('mallory', 'second password')]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.match((refused.reason as Error).message, /already set up/);
  assert.equal(accounts.list().length, 1);
  await assert.rejects(accounts.createFirstAdmin('late', 'third password'), /already set up/);
});
