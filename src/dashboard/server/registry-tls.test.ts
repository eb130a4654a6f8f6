import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog } from './registry-client.js';
import { checkTls } from './registry-tls.js';

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signed (EC keys: quick), as PEM text. */
function makePki(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherKey', string> {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=test ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'], ['client', 'extendedKeyUsage=clientAuth\n']]) {
    openssl('req', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), ext!);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
  openssl('genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other-key.pem');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.pem'), serverCert: read('server.pem'), serverKey: read('server-key.pem'), clientCert: read('client.pem'), clientKey: read('client-key.pem'), otherKey: read('other-key.pem') };
}

let dir: string;
let pki: ReturnType<typeof makePki>;
let server: Server;
let url: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-registry-tls-'));
  pki = makePki(dir);
  // A registry that only answers clients with a certificate its CA signed.
  server = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    if (req.url?.startsWith('/v2/_catalog')) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ repositories: ['mtls/app'] }));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

test('PEM fields are checked before they are stored', () => {
  assert.throws(() => checkTls({ ca: 'hello' }), { kind: 'invalid', message: 'the CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)' });
  assert.throws(() => checkTls({ ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), { kind: 'invalid', message: /^the CA certificate is not a valid PEM certificate/ });
  assert.throws(() => checkTls({ cert: pki.clientCert }), { kind: 'invalid', message: 'a client certificate needs its key, and a key its certificate' });
  assert.throws(() => checkTls({ cert: pki.clientCert, key: pki.otherKey }), { kind: 'invalid', message: 'the client key does not belong to the client certificate' });
  assert.throws(() => checkTls({ cert: pki.clientCert, key: 'nope' }), { kind: 'invalid', message: /^the client key is not a PEM private key/ });
  assert.deepEqual(Object.keys(checkTls({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, name: 'x' })), ['ca', 'cert', 'key']);
  assert.deepEqual(checkTls({ ca: '', cert: undefined }), {});
});

test('a registry that wants a client certificate: browsed with the stored one, refused without', async () => {
  assert.deepEqual(await catalog({ url, ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }), { repositories: ['mtls/app'] });
  await assert.rejects(catalog({ url, ca: pki.ca }), { kind: 'unavailable', message: new RegExp(`^cannot reach the registry at ${url.replace(/[.]/g, '\\.')}: `) });
});

test('without the CA the certificate is not trusted, and the message says what to do', async () => {
  await assert.rejects(catalog({ url }), { kind: 'unavailable', message: /its TLS certificate is not trusted \(.+\): add the CA certificate that signed it to this registry$/ });
  await assert.rejects(catalog({ url, ca: pki.serverCert, cert: pki.clientCert, key: pki.clientKey }), { kind: 'unavailable', message: /the CA certificate stored with this registry did not sign it$/ });
});
