import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountStore } from './accounts.js';
import { keyFromPem, signJwt } from './jwt.js';
import type { Principal } from './permissions.js';
import { ISSUER, SERVICE, TokenService } from './token-service.js';

function newKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return keyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
}

const repo = (name: string, ...actions: string[]) => ({ type: 'repository', name, actions });

describe('token service', () => {
  let dir: string;
  let accounts: AccountStore;
  let tokens: TokenService;
  const key = newKey();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-tokens-'));
    accounts = await AccountStore.open(join(dir, 'accounts.json'), 'admin-password');
    await accounts.createUser('dev', 'dev-password');
    await accounts.createUser('guest', 'guest-password');
    await accounts.createProject('team', false, undefined);
    await accounts.setMember('team', 'dev', 'developer');
    await accounts.setMember('team', 'guest', 'guest');
    tokens = new TokenService(key, accounts, 60);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('grants each role its actions, and nothing on projects that do not exist', async () => {
    const dev = await accounts.authenticate('dev', 'dev-password');
    const guest = await accounts.authenticate('guest', 'guest-password');
    const admin = await accounts.authenticate('admin', 'admin-password');
    const all = [repo('team/a', 'pull', 'push', 'delete'), repo('library/a', 'pull', 'push'), repo('nope/a', 'pull'), repo('toplevel', 'pull')];
    assert.deepEqual(tokens.grant(dev, all), [repo('team/a', 'pull', 'push'), repo('library/a', 'pull')]);
    assert.deepEqual(tokens.grant(guest, all), [repo('team/a', 'pull'), repo('library/a', 'pull')]);
    assert.deepEqual(tokens.grant(undefined, all), [repo('library/a', 'pull')]);
    assert.deepEqual(tokens.grant(admin, all), [repo('team/a', 'pull', 'push', 'delete'), repo('library/a', 'pull', 'push'), repo('toplevel', 'pull')]);
    assert.deepEqual(tokens.grant(admin, [repo('team/a', '*')]), [repo('team/a', '*')]);
    assert.deepEqual(tokens.grant(dev, [repo('team/a', '*')]), [repo('team/a', 'pull', 'push')]);
    assert.deepEqual(tokens.grant(undefined, [{ type: 'registry', name: 'catalog', actions: ['*'] }]), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  });

  it('gives robots only the actions they were made with, on their own project', async () => {
    const secret = await accounts.createRobot('team', 'ci', ['push']);
    const robot = (await accounts.authenticate('robot$team+ci', secret)) as Principal;
    assert.deepEqual(robot, { kind: 'robot', name: 'ci', project: 'team', actions: ['push'] });
    assert.deepEqual(tokens.grant(robot, [repo('team/a', 'pull', 'push'), repo('library/a', 'push')]), [repo('team/a', 'push')]);
    assert.equal(await accounts.authenticate('robot$team+ci', 'wrong'), undefined);
    assert.equal(await accounts.authenticate('robot$other+ci', secret), undefined);
    const { refresh_token } = tokens.issue(robot, [], { offline: true });
    assert.deepEqual(tokens.redeemRefreshToken(refresh_token!), robot);
    await accounts.deleteRobot('team', 'ci');
    const newSecret = await accounts.createRobot('team', 'ci', ['push']);
    assert.equal(tokens.redeemRefreshToken(refresh_token!), undefined, 'a robot made again has a new secret');
    assert.ok(await accounts.authenticate('robot$team+ci', newSecret));
    await accounts.createRobot('team', 'old', ['pull'], { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    assert.equal(accounts.principal('robot$team+old'), undefined, 'expired');
  });

  it('verifies its tokens: issuer, audience, expiry, signature', async () => {
    const dev = await accounts.authenticate('dev', 'dev-password');
    const issued = tokens.issue(dev, [repo('team/a', 'pull')]);
    assert.deepEqual(tokens.verify(issued.token), { subject: 'dev', access: [repo('team/a', 'pull')] });
    const old = tokens.issue(dev, [repo('team/a', 'pull')], { now: Date.now() - 61_000 });
    assert.equal(tokens.verify(old.token), undefined, 'expired');
    const now = Math.floor(Date.now() / 1000);
    const base = { iss: ISSUER, sub: 'dev', aud: SERVICE, exp: now + 60, access: [] };
    assert.ok(tokens.verify(signJwt(base, key)));
    assert.equal(tokens.verify(signJwt({ ...base, aud: 'other' }, key)), undefined, 'audience');
    assert.equal(tokens.verify(signJwt({ ...base, iss: 'someone' }, key)), undefined, 'issuer');
    assert.equal(tokens.verify(signJwt({ ...base, nbf: now + 30 }, key)), undefined, 'not yet valid');
    assert.equal(tokens.verify(signJwt(base, newKey())), undefined, 'another key');
    assert.equal(tokens.redeemRefreshToken(issued.token), undefined, 'an access token is not a refresh token');
  });

  it('redeems refresh tokens until the password changes or the account goes', async () => {
    await accounts.createUser('temp', 'temp-password');
    const temp = await accounts.authenticate('temp', 'temp-password');
    const { refresh_token } = tokens.issue(temp, [], { offline: true });
    assert.equal(tokens.issue(undefined, [], { offline: true }).refresh_token, undefined, 'none for anonymous');
    assert.deepEqual(tokens.redeemRefreshToken(refresh_token!), temp);
    await accounts.setPassword('temp', 'temp-password-2');
    assert.equal(tokens.redeemRefreshToken(refresh_token!), undefined);
    assert.equal(await accounts.authenticate('temp', 'temp-password'), undefined, 'the old password no longer works');
    const again = tokens.issue(await accounts.authenticate('temp', 'temp-password-2'), [], { offline: true });
    await accounts.deleteUser('temp');
    assert.equal(tokens.redeemRefreshToken(again.refresh_token!), undefined);
  });

  it('keeps the state across a reopen and refuses names that are not its own keys', async () => {
    const reopened = await AccountStore.open(join(dir, 'accounts.json'), undefined);
    assert.deepEqual(reopened.projectNames(), ['library', 'team']);
    assert.equal(reopened.project('team')?.members.dev, 'developer');
    assert.equal(reopened.user('__proto__'), undefined);
    assert.equal(await reopened.authenticate('constructor', 'x'), undefined);
    await assert.rejects(reopened.deleteUser('admin'), /last admin/);
  });
});
