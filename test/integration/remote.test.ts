/**
 * Remote access: berthd on 127.0.0.1 with --tlsverify, driven by the berth CLI
 * and the real docker CLI through flags, DOCKER_HOST/DOCKER_TLS_VERIFY/
 * DOCKER_CERT_PATH, and contexts; clients without a certificate, with one
 * from another CA, or with an expired one are refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_CLI, ROOT, run, stopCliPools, TestDaemon, type RunResult } from './harness.js';
import { freePort, makeCerts, type CertSet } from './tls-certs.js';

describe('remote access with mutual TLS', () => {
  let daemon: TestDaemon;
  let certs: CertSet;
  let dir: string;
  let address: string;

  /** Clean environments: no DOCKER_* or BERTH_* from the caller, private config directories. */
  const env = (extra: Record<string, string> = {}) => ({
    DOCKER_HOST: '', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '', DOCKER_CONTEXT: '', BERTH_HOST: '', BERTH_CONTEXT: '',
    BERTH_CONFIG: join(dir, 'berth-config'), DOCKER_CONFIG: join(dir, 'docker-config'),
    // bin/berth run as a command goes through its launcher: the CLI pool it starts is this test's own.
    XDG_RUNTIME_DIR: join(dir, 'runtime'), ...extra,
  });
  const berth = (args: string[], extra?: Record<string, string>): RunResult => run(process.execPath, [join(ROOT, 'bin', 'berth'), ...args], undefined, env(extra));
  const docker = (args: string[], extra?: Record<string, string>): RunResult => run(DOCKER_CLI!, args, undefined, env(extra));
  const tlsFlags = (cert = certs.clientCert, key = certs.clientKey, ca = certs.ca) => ['--tlsverify', '--tlscacert', ca, '--tlscert', cert, '--tlskey', key, '-H', address];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-remote-'));
    mkdirSync(join(dir, 'runtime'), { mode: 0o700 });
    certs = await makeCerts(dir);
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    daemon = await TestDaemon.start(['-H', `tcp://${address}`, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey]);
    const tar = (await import('./harness.js')).busyboxRootfs();
    const imported = daemon.berth(['import', await tar, 'remote-test:latest']);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    if (dir) stopCliPools(join(dir, 'runtime'));
    await daemon?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('berth --tlsverify with a client certificate lists images', () => {
    const r = berth([...tlsFlags(), 'images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'remote-test:latest');
    assert.match(daemon.log(), /API listen on tcp:\/\/127\.0\.0\.1:\d+ \(TLS, client certificates verified\)/);
  });

  test('the real docker CLI with --tlsverify flags, and with DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', { skip: !DOCKER_CLI }, () => {
    const byFlags = docker([...tlsFlags(), 'images', '--format', '{{.Repository}}']);
    assert.equal(byFlags.code, 0, byFlags.stderr);
    assert.equal(byFlags.stdout.trim(), 'remote-test');
    const byEnv = { DOCKER_HOST: `tcp://${address}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.dir };
    const dockerEnv = docker(['version', '--format', '{{.Server.APIVersion}}'], byEnv);
    assert.equal(dockerEnv.code, 0, dockerEnv.stderr);
    assert.equal(dockerEnv.stdout.trim(), '1.45');
    const berthEnv = berth(['images', '--format', '{{.Repository}}'], byEnv);
    assert.equal(berthEnv.code, 0, berthEnv.stderr);
    assert.equal(berthEnv.stdout.trim(), 'remote-test');
    // BERTH_HOST works as DOCKER_HOST does (and wins over it).
    const berthHost = berth(['images', '-q'], { ...byEnv, DOCKER_HOST: 'tcp://127.0.0.1:1', BERTH_HOST: `tcp://${address}` });
    assert.equal(berthHost.code, 0, berthHost.stderr);
  });

  test('a client without a certificate is refused', () => {
    const r = berth(['--tlsverify', '--tlscacert', certs.ca, '-H', address, 'images']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error during connect: .*certificate required/);
    if (DOCKER_CLI) {
      const d = docker(['--tlsverify', '--tlscacert', certs.ca, '-H', address, 'images']);
      assert.equal(d.code, 1);
      assert.match(d.stderr, /certificate required|bad certificate|EOF/);
    }
  });

  test('a certificate from another CA is refused', () => {
    const r = berth(tlsFlags(certs.foreignCert, certs.foreignKey).concat('images'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error during connect/);
    if (DOCKER_CLI) assert.equal(docker(tlsFlags(certs.foreignCert, certs.foreignKey).concat('images')).code, 1);
  });

  test('an expired certificate from the right CA is refused', () => {
    const r = berth(tlsFlags(certs.expiredCert).concat('images'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error during connect/);
    if (DOCKER_CLI) assert.equal(docker(tlsFlags(certs.expiredCert).concat('images')).code, 1);
  });

  test('the client verifies the daemon: a CA that did not sign the server certificate fails', () => {
    const r = berth(tlsFlags(certs.clientCert, certs.clientKey, certs.foreignCa).concat('images'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error during connect: .*(self-signed|unable to verify|certificate)/i);
  });

  test('plain HTTP to the TLS port is told so, as Go servers tell it', async () => {
    const [host, port] = address.split(':');
    const answer = await new Promise<string>((resolve) => {
      const req = request({ host, port: Number(port), path: '/_ping', timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
      req.on('error', (err) => resolve(`error ${err.message}`));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
    assert.equal(answer, '400 Client sent an HTTP request to an HTTPS server.\n');
    if (DOCKER_CLI) {
      const d = docker(['-H', `tcp://${address}`, 'images']);
      assert.equal(d.code, 1);
      assert.match(d.stderr, /Client sent an HTTP request to an HTTPS server/);
    }
  });

  test('contexts: create with TLS files, use, ls, and rm', () => {
    const endpoint = `host=tcp://${address},ca=${certs.ca},cert=${certs.clientCert},key=${certs.clientKey}`;
    const created = berth(['context', 'create', 'secure', '--description', 'berthd over mutual TLS', '--docker', endpoint]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'secure\n');
    assert.match(created.stderr, /Successfully created context "secure"/);
    const viaFlag = berth(['--context', 'secure', 'images', '--format', '{{.Repository}}']);
    assert.equal(viaFlag.code, 0, viaFlag.stderr);
    assert.equal(viaFlag.stdout.trim(), 'remote-test');
    const used = berth(['context', 'use', 'secure']);
    assert.equal(used.code, 0, used.stderr);
    assert.equal(used.stdout, 'secure\n');
    assert.equal(berth(['images', '-q']).code, 0);
    const list = berth(['context', 'ls']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+DESCRIPTION\s+DOCKER ENDPOINT\s+ERROR\n/);
    assert.match(list.stdout, new RegExp(`\\nsecure \\*\\s+berthd over mutual TLS\\s+tcp://${address.replace(/\./g, '\\.')}`));
    assert.match(list.stdout, /\ndefault\s+Current DOCKER_HOST based configuration\s+unix:\/\/\/run\/berth\/berth\.sock/);
    // -H and DOCKER_HOST win over the current context.
    const conflict = berth(['--context', 'secure', '-H', address, 'images']);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /either specify --host or --context, not both/);
    const inUse = berth(['context', 'rm', 'secure']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /context "secure" is in use, set -f flag to force remove/);
    assert.equal(berth(['context', 'use', 'default']).code, 0);
    const removed = berth(['context', 'rm', 'secure']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'secure\n');
    assert.match(berth(['--context', 'secure', 'images']).stderr, /context "secure" does not exist/);
  });

  test('run as a command, berth trusts a CA given only by NODE_EXTRA_CA_CERTS, read only when TLS needs it', () => {
    // bin/berth executed (not `node bin/berth`): its shell part moves NODE_EXTRA_CA_CERTS out of Node's start.
    const command = (args: string[], extra: Record<string, string>) => run(join(ROOT, 'bin', 'berth'), args, undefined, env({ NODE_OPTIONS: '', ...extra }));
    // A context with a client certificate and no CA trusts the default roots, which NODE_EXTRA_CA_CERTS extends.
    const created = berth(['context', 'create', 'extra-ca', '--docker', `host=tcp://${address},cert=${certs.clientCert},key=${certs.clientKey}`]);
    assert.equal(created.code, 0, created.stderr);
    const images = ['--context', 'extra-ca', 'images', '--format', '{{.Repository}}'];
    const trusted = command(images, { NODE_EXTRA_CA_CERTS: certs.ca });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(trusted.stdout.trim(), 'remote-test');
    const untrusted = command(images, { NODE_EXTRA_CA_CERTS: '' });
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /error during connect: .*(certificate|verify)/);
    // Node itself would warn about a missing file at start, in every command; berth warns only when TLS needs the file.
    const missing = join(dir, 'missing-ca.pem');
    const local = command(['--version'], { NODE_EXTRA_CA_CERTS: missing });
    assert.equal(local.code, 0, local.stderr);
    assert.equal(local.stderr, '');
    const remote = command(images, { NODE_EXTRA_CA_CERTS: missing });
    assert.equal(remote.code, 1);
    assert.match(remote.stderr, /^Warning: Ignoring extra certs from `[^`]*missing-ca\.pem`, load failed: ENOENT/);
    // The variable is back for what the CLI starts (a credential helper, compose's children).
    const shown = command(['--context', 'extra-ca', 'run', '--rm', '--network', 'none', '-e', 'NODE_EXTRA_CA_CERTS', 'remote-test', 'sh', '-c', 'echo "$NODE_EXTRA_CA_CERTS"'], { NODE_EXTRA_CA_CERTS: certs.ca });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stdout.trim(), certs.ca);
    assert.equal(berth(['context', 'rm', 'extra-ca']).code, 0);
  });

  test('berthd refuses plain TCP on a non-loopback address unless --tls=false is explicit', () => {
    writeFileSync(join(dir, 'none.json'), '{}');
    const args = [join(ROOT, 'bin', 'berthd'), '--data-root', join(dir, 'refused'), '--exec-root', join(dir, 'refused-exec'),
      '--config-file', join(dir, 'none.json'), '--pidfile', join(dir, 'refused.pid'), '-H', 'tcp://0.0.0.0:1'];
    const refused = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /API would be accessible on http:\/\/0\.0\.0\.0:1 without encryption.*--tls=false/);
  });

  test('--tls without --tlsverify encrypts but lets clients in without a certificate', async () => {
    const port = await freePort();
    const other = await TestDaemon.start(['-H', `tcp://127.0.0.1:${port}`, '--tls', '--tlscert', certs.serverCert, '--tlskey', certs.serverKey]);
    try {
      assert.equal(berth(['--tls', '-H', `127.0.0.1:${port}`, 'images', '-q']).code, 0);
      // The client may still verify the daemon against the CA.
      const verified = berth(['--tlsverify', '--tlscacert', certs.ca, '-H', `127.0.0.1:${port}`, 'images', '-q']);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(other.log(), /API listen on tcp:\/\/127\.0\.0\.1:\d+ \(TLS\)/);
      assert.match(other.log(), /uses TLS without --tlsverify/);
      const info = JSON.parse(berth(['--tls', '-H', `127.0.0.1:${port}`, 'info', '--format', '{{json .Warnings}}']).stdout) as string[];
      assert.ok(info.some((w) => /without TLS client verification/.test(w)), info.join('\n'));
    } finally {
      await other.stop();
    }
  });
});
