import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base32, keyFromPem, libtrustKeyId, loadOrCreateKey, signJwt, verifyJwt } from './jwt.js';

function newKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return keyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
}

describe('registry JWTs', () => {
  it('signs ES256 with a libtrust kid and verifies only its own signatures', () => {
    const key = newKey();
    const token = signJwt({ sub: 'alice', n: 1 }, key);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    assert.deepEqual(header, { typ: 'JWT', alg: 'ES256', kid: key.kid });
    assert.match(key.kid, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    assert.deepEqual(verifyJwt(token, key), { sub: 'alice', n: 1 });
    assert.equal(verifyJwt(token, newKey()), undefined, 'another key');
    const [h, , s] = token.split('.');
    assert.equal(verifyJwt(`${h}.${Buffer.from('{"sub":"admin","n":1}').toString('base64url')}.${s}`, key), undefined, 'changed claims');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${token.split('.')[1]}.`;
    assert.equal(verifyJwt(none, key), undefined, 'alg none');
    assert.equal(verifyJwt('not.a.jwt', key), undefined);
  });

  it('computes libtrust key IDs: base32 (RFC 4648) of the first 240 bits of SHA-256 of the DER public key', () => {
    assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI');
    assert.equal(base32(Buffer.from('f')), 'MY');
    const key = newKey();
    const der = key.publicKey.export({ type: 'spki', format: 'der' });
    const expected = base32(createHash('sha256').update(der).digest().subarray(0, 30));
    assert.equal(expected.length, 48);
    assert.equal(key.kid.replaceAll(':', ''), expected);
    assert.equal(libtrustKeyId(key.publicKey), key.kid);
  });

  it('creates the key once, mode 0600, and loads the same one again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-jwt-'));
    try {
      const first = await loadOrCreateKey(join(dir, 'auth', 'key.pem'));
      assert.equal((await stat(join(dir, 'auth', 'key.pem'))).mode & 0o777, 0o600);
      const again = await loadOrCreateKey(join(dir, 'auth', 'key.pem'));
      assert.equal(again.kid, first.kid);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
