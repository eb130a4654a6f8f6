import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eraseCredentials, getCredentials, HUB_KEY, registryKey, storeCredentials } from './credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-creds-'));
process.env.BERTH_CONFIG = join(dir, 'berth');
process.env.DOCKER_CONFIG = join(dir, 'docker');
after(() => rmSync(dir, { recursive: true, force: true }));

test('registry keys as the docker CLI files them', () => {
  assert.equal(registryKey(undefined), HUB_KEY);
  assert.equal(registryKey('docker.io'), HUB_KEY);
  assert.equal(registryKey('https://localhost:5000/v2/'), 'localhost:5000');
});

test('stores in docker\'s format, owner-only, keeps other keys, and erases', async () => {
  mkdirSync(process.env.BERTH_CONFIG!, { recursive: true });
  writeFileSync(join(process.env.BERTH_CONFIG!, 'config.json'), JSON.stringify({ auths: {}, detachKeys: 'ctrl-x' }));
  await storeCredentials('r.example:5000', { username: 'u', password: 'p:w' });
  const file = join(process.env.BERTH_CONFIG!, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(config.detachKeys, 'ctrl-x');
  assert.equal(config.auths['r.example:5000'].auth, Buffer.from('u:p:w').toString('base64'));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(await getCredentials('r.example:5000'), { serveraddress: 'r.example:5000', username: 'u', password: 'p:w', identitytoken: undefined, registrytoken: undefined, email: undefined });
  assert.equal(await eraseCredentials('r.example:5000'), true);
  assert.equal(await getCredentials('r.example:5000'), undefined);
});

test('falls back to docker\'s config, identity tokens included', async () => {
  mkdirSync(process.env.DOCKER_CONFIG!, { recursive: true });
  writeFileSync(join(process.env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ auths: { [HUB_KEY]: { auth: Buffer.from('me:').toString('base64'), identitytoken: 'tok' } } }));
  const found = await getCredentials(HUB_KEY);
  assert.equal(found?.username, 'me');
  assert.equal(found?.identitytoken, 'tok');
});
