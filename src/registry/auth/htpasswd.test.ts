import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { basicCredentials, Htpasswd, parseHtpasswd } from './htpasswd.js';
import { passwordTransportAllowed } from '../http/transport.js';

describe('htpasswd', () => {
  let dir: string | undefined;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('checks bcrypt entries, re-reads the file when it changes, and refuses other hashes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-htpasswd-'));
    const path = join(dir, 'htpasswd');
    // "$2y$" is what `htpasswd -B` writes.
    await writeFile(path, `# users\nalice:${bcrypt.hashSync('pw1', 5).replace(/^\$2[ab]\$/, '$2y$')}\n`);
    const file = new Htpasswd(path);
    await file.load();
    assert.equal(await file.verify('alice', 'pw1'), 'alice');
    assert.equal(await file.verify('alice', 'pw1'), 'alice', 'remembered');
    assert.equal(await file.verify('alice', 'wrong'), undefined);
    assert.equal(await file.verify('bob', 'pw1'), undefined);
    await writeFile(path, `bob:${bcrypt.hashSync('pw2', 5)}\n`);
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    assert.equal(await file.verify('bob', 'pw2'), 'bob');
    assert.equal(await file.verify('alice', 'pw1'), undefined, 'forgotten when the file changes');
    assert.throws(() => parseHtpasswd('carol:{SHA}abc=\n', 'f'), /f:1: only bcrypt entries are supported/);
    assert.throws(() => parseHtpasswd('no-colon\n', 'f'), /f:1: expected user:hash/);
  });

  it('takes as long for an unknown user as for a wrong password (no timing oracle)', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'berth-htpasswd-'));
    const path = join(dir, 'timing');
    await writeFile(path, `alice:${bcrypt.hashSync('pw', 8)}\n`);
    const file = new Htpasswd(path);
    await file.load();
    const median = async (user: string) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = process.hrtime.bigint();
        await file.verify(user, 'wrong');
        times.push(Number(process.hrtime.bigint() - t));
      }
      return times.sort((a, b) => a - b)[3]!;
    };
    const known = await median('alice');
    const unknown = await median('mallory');
    // Without the dummy comparison an unknown user answers ~1000x faster; with it the two are alike.
    assert.ok(unknown > known / 3, `unknown user ${unknown} ns vs known ${known} ns`);
  });

  it('parses Basic credentials', () => {
    assert.deepEqual(basicCredentials(`Basic ${Buffer.from('u:p:q').toString('base64')}`), { user: 'u', password: 'p:q' });
    assert.equal(basicCredentials('Bearer abc'), undefined);
    assert.equal(basicCredentials(`Basic ${Buffer.from('nocolon').toString('base64')}`), undefined);
  });

  it('accepts passwords only over TLS or loopback unless plain HTTP is allowed', () => {
    assert.equal(passwordTransportAllowed(false, '127.0.0.1', false), true);
    assert.equal(passwordTransportAllowed(false, '::1', false), true);
    assert.equal(passwordTransportAllowed(false, '::ffff:127.0.0.1', false), true);
    assert.equal(passwordTransportAllowed(false, '192.0.2.7', false), false);
    assert.equal(passwordTransportAllowed(true, '192.0.2.7', false), true);
    assert.equal(passwordTransportAllowed(false, '192.0.2.7', true), true);
  });
});
