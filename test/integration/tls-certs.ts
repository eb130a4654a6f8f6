/**
 * Certificates for the remote-access tests, made with openssl the way the
 * seed notes (Docker's "Protect the Docker daemon socket") make them: a CA,
 * a server certificate with subjectAltName IP:127.0.0.1, and client
 * certificates with extendedKeyUsage=clientAuth. 2048-bit keys keep it quick.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const openssl = (dir: string, args: string[]) => exec('openssl', args, { cwd: dir });

export interface CertSet {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A client certificate the CA signed; cert.pem/key.pem/ca.pem also sit in `dir` for DOCKER_CERT_PATH. */
  clientCert: string;
  clientKey: string;
  /** Signed by the CA but already expired. */
  expiredCert: string;
  /** Signed by another CA. */
  foreignCert: string;
  foreignKey: string;
  foreignCa: string;
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(dir, ['genrsa', '-out', `${name}-key.pem`, '2048']);
  await openssl(dir, ['req', '-new', '-x509', '-days', '365', '-key', `${name}-key.pem`, '-sha256', '-subj', `/CN=${name}`, '-out', `${name}.pem`]);
}

/** A certificate for `key` signed by `ca`; negative days make one that has expired already. */
async function makeCert(dir: string, ca: string, name: string, subject: string, ext: string, days: number, key: string): Promise<void> {
  await openssl(dir, ['req', '-subj', subject, '-sha256', '-new', '-key', key, '-out', `${name}.csr`]);
  await writeFile(join(dir, `${name}.cnf`), ext);
  await openssl(dir, ['x509', '-req', '-days', String(days), '-sha256', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`,
    '-CAcreateserial', '-out', `${name}.pem`, '-extfile', `${name}.cnf`]);
}

export async function makeCerts(dir: string): Promise<CertSet> {
  await makeCa(dir, 'ca');
  await makeCa(dir, 'other-ca');
  for (const key of ['server-key.pem', 'key.pem', 'foreign-key.pem']) await openssl(dir, ['genrsa', '-out', key, '2048']);
  await makeCert(dir, 'ca', 'server-cert', '/CN=localhost', 'subjectAltName = DNS:localhost,IP:127.0.0.1\nextendedKeyUsage = serverAuth\n', 365, 'server-key.pem');
  const clientExt = 'extendedKeyUsage = clientAuth\n';
  // The docker CLI's file names: ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH).
  await makeCert(dir, 'ca', 'cert', '/CN=client', clientExt, 365, 'key.pem');
  await makeCert(dir, 'ca', 'expired', '/CN=client', clientExt, -1, 'key.pem');
  await makeCert(dir, 'other-ca', 'foreign', '/CN=client', clientExt, 365, 'foreign-key.pem');
  const p = (f: string) => join(dir, f);
  return {
    dir, ca: p('ca.pem'), serverCert: p('server-cert.pem'), serverKey: p('server-key.pem'), clientCert: p('cert.pem'), clientKey: p('key.pem'),
    expiredCert: p('expired.pem'), foreignCert: p('foreign.pem'), foreignKey: p('foreign-key.pem'), foreignCa: p('other-ca.pem'),
  };
}

/** One more server certificate from `set`'s CA, for `san` (e.g. "IP:::1"); returns its certificate and key files. */
export async function makeServerCert(set: CertSet, name: string, san: string): Promise<{ cert: string; key: string }> {
  await openssl(set.dir, ['genrsa', '-out', `${name}-key.pem`, '2048']);
  await makeCert(set.dir, 'ca', name, '/CN=localhost', `subjectAltName = ${san}\nextendedKeyUsage = serverAuth\n`, 365, `${name}-key.pem`);
  return { cert: join(set.dir, `${name}.pem`), key: join(set.dir, `${name}-key.pem`) };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
