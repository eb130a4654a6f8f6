import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { defaultCaWithExtra, DEFERRED_ENV, takeDeferredExtraCaCerts } from './extra-ca-certs.js';

describe('NODE_EXTRA_CA_CERTS deferred by bin/berth', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-extra-ca-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('without the launcher nothing changes: Node loaded the file itself', () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/etc/x.pem' };
    takeDeferredExtraCaCerts(env);
    assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: '/etc/x.pem' });
    assert.equal(defaultCaWithExtra(), undefined);
  });

  it('puts the variable back for child processes and adds the file to the default roots', async () => {
    const file = join(dir, 'extra.pem');
    await writeFile(file, '-----BEGIN CERTIFICATE-----\nnot parsed here\n-----END CERTIFICATE-----\n');
    const env: NodeJS.ProcessEnv = { [DEFERRED_ENV]: file };
    takeDeferredExtraCaCerts(env);
    assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: file });
    const ca = defaultCaWithExtra();
    assert.deepEqual(ca, [...rootCertificates, '-----BEGIN CERTIFICATE-----\nnot parsed here\n-----END CERTIFICATE-----\n']);
    assert.equal(defaultCaWithExtra(), ca, 'read once');
  });

  it('an empty value (the variable was unset) leaves it unset', () => {
    const env: NodeJS.ProcessEnv = { [DEFERRED_ENV]: '' };
    takeDeferredExtraCaCerts(env);
    assert.deepEqual(env, {});
  });

  it('a file that cannot be read: Node\'s warning, once, and the bundled roots', () => {
    const file = join(dir, 'missing.pem');
    takeDeferredExtraCaCerts({ [DEFERRED_ENV]: file });
    const warnings: string[] = [];
    assert.equal(defaultCaWithExtra((line) => warnings.push(line)), undefined);
    assert.equal(defaultCaWithExtra((line) => warnings.push(line)), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`^Warning: Ignoring extra certs from \`${file}\`, load failed: ENOENT`));
  });
});
