/**
 * Credentials and transport rules of berthd's registry client: Basic auth
 * (berth registry with htpasswd), Bearer tokens (distribution 2.8 with a
 * token server), login/logout through the docker CLI and the berth CLI
 * (berth's own config, docker's config, a credential helper), TLS with a
 * test CA installed through certs.d, insecure-registries, and mirrors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, ROOT, run, TestDaemon, type RunResult } from './harness.js';
import { TestRegistry } from './registry-harness.js';
import {
  dockerRegistrySkipReason, makeTestCa, settle, PASSWORD, pushRawImage, removeDir, startDockerRegistry, startTokenServer, tarOf, USER, writeHtpasswd, type ChildServer,
} from './distribution-helpers.js';

/** The berth CLI with its own config directories (BERTH_CONFIG, DOCKER_CONFIG) and PATH. */
function berthWith(daemon: TestDaemon, env: Record<string, string>, args: string[], input?: string): RunResult {
  return run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', daemon.host, ...args], input, env);
}

describe('Basic auth: berth registry with htpasswd', () => {
  let dir: string;
  let registry: TestRegistry;
  let daemon: TestDaemon;
  let host: string;
  let berthEnv: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-dist-auth-'));
    await writeHtpasswd(join(dir, 'htpasswd'));
    registry = await TestRegistry.start(['--htpasswd', join(dir, 'htpasswd')]);
    host = registry.hostPort;
    daemon = await TestDaemon.start();
    berthEnv = { BERTH_CONFIG: join(dir, 'berth-config'), DOCKER_CONFIG: join(dir, 'no-docker-config') };
    assert.equal(daemon.docker(['import', await busyboxRootfs(), `${host}/secret/bb:1`]).code, 0);
  });
  after(async () => {
    await daemon?.stop();
    await registry?.stop();
    await removeDir(dir);
  });

  it('refuses to push without credentials, and a wrong password at login', () => {
    const anonymous = daemon.docker(['push', `${host}/secret/bb:1`]);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /no basic auth credentials/);
    const wrong = daemon.docker(['login', '-u', USER, '--password-stdin', host], 'not-the-password\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Error response from daemon: login attempt to http:\/\/.*\/v2\/ failed with status: 401 Unauthorized/);
  });

  it('docker login through berthd stores the credentials and push uses them', async () => {
    const login = daemon.docker(['login', '-u', USER, '--password-stdin', host], `${PASSWORD}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Login Succeeded/);
    const config = JSON.parse(await readFile(join(daemon.dir, 'docker-config', 'config.json'), 'utf8'));
    assert.equal(Buffer.from(config.auths[host].auth, 'base64').toString(), `${USER}:${PASSWORD}`);
    const pushed = daemon.docker(['push', `${host}/secret/bb:1`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /1: digest: sha256:/);
  });

  it('a build pulls its FROM image with the credentials the docker CLI sends (X-Registry-Config)', () => {
    assert.equal(daemon.docker(['rmi', `${host}/secret/bb:1`]).code, 0);
    const built = daemon.dockerBuild(['--network', 'none', '-t', 'built-from-secret', '-'], `FROM ${host}/secret/bb:1\nRUN true\n`);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /Successfully tagged built-from-secret:latest/);
  });

  it('berth reads the docker CLI config when its own has nothing', () => {
    assert.equal(daemon.docker(['rmi', `${host}/secret/bb:1`]).code, 0);
    const pulled = berthWith(daemon, { ...berthEnv, DOCKER_CONFIG: join(daemon.dir, 'docker-config') }, ['pull', `${host}/secret/bb:1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
  });

  it('berth login and logout keep docker\'s config format in ~/.berth/config.json', async () => {
    assert.equal(daemon.docker(['rmi', `${host}/secret/bb:1`]).code, 0);
    const denied = berthWith(daemon, berthEnv, ['pull', `${host}/secret/bb:1`]);
    assert.equal(denied.code, 1);
    const login = berthWith(daemon, berthEnv, ['login', '-u', USER, '--password-stdin', host], `${PASSWORD}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Login Succeeded/);
    assert.match(login.stderr, /WARNING! Your credentials are stored unencrypted/);
    const file = join(berthEnv.BERTH_CONFIG!, 'config.json');
    const config = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(Buffer.from(config.auths[host].auth, 'base64').toString(), `${USER}:${PASSWORD}`);
    const pulled = berthWith(daemon, berthEnv, ['pull', `${host}/secret/bb:1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(daemon.docker(['rmi', `${host}/secret/bb:1`]).code, 0);
    // berth build sends the stored credentials along (X-Registry-Config) for the FROM pull.
    const built = berthWith(daemon, berthEnv, ['build', '--network', 'none', '-t', 'berth-built-from-secret', '-'], `FROM ${host}/secret/bb:1\nRUN true\n`);
    assert.equal(built.code, 0, built.stderr);
    const logout = berthWith(daemon, berthEnv, ['logout', host]);
    assert.equal(logout.stdout, `Removing login credentials for ${host}\n`);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')).auths, {});
    assert.equal(berthWith(daemon, berthEnv, ['logout', host]).stdout, `Not logged in to ${host}\n`);
    const noTty = berthWith(daemon, berthEnv, ['login', host]);
    assert.match(noTty.stderr, /Cannot perform an interactive login from a non TTY device/);
  });

  it('uses a credential helper named by credsStore', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    const store = join(dir, 'helper-store');
    // A tiny docker-credential-* helper keeping one secret in a file.
    await writeFile(join(bin, 'docker-credential-berthtest'), `#!/bin/sh\ncase "$1" in\n  store) cat > '${store}' ;;\n  get) read server; if [ -f '${store}' ]; then cat '${store}'; else echo 'credentials not found in native keychain'; exit 1; fi ;;\n  erase) rm -f '${store}' ;;\nesac\n`);
    await chmod(join(bin, 'docker-credential-berthtest'), 0o755);
    const env = { BERTH_CONFIG: join(dir, 'helper-config'), DOCKER_CONFIG: join(dir, 'no-docker-config'), PATH: `${bin}:${process.env.PATH}` };
    await mkdir(env.BERTH_CONFIG, { recursive: true });
    await writeFile(join(env.BERTH_CONFIG, 'config.json'), JSON.stringify({ credsStore: 'berthtest' }));
    const login = berthWith(daemon, env, ['login', '-u', USER, '--password-stdin', host], `${PASSWORD}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.doesNotMatch(login.stderr, /unencrypted/);
    assert.deepEqual(JSON.parse(await readFile(store, 'utf8')), { ServerURL: host, Username: USER, Secret: PASSWORD });
    assert.equal(daemon.docker(['rmi', `${host}/secret/bb:1`]).code, 0);
    const pulled = berthWith(daemon, env, ['pull', `${host}/secret/bb:1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(berthWith(daemon, env, ['logout', host]).code, 0);
    await assert.rejects(readFile(store));
  });
});

describe('Bearer tokens: distribution 2.8 with a token server', { skip: dockerRegistrySkipReason() }, () => {
  let dir: string;
  let daemon: TestDaemon;
  let tokens: { server: ChildServer; realm: string; requests: () => string[] };
  let registry: { server: ChildServer; hostPort: string };
  let host: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-dist-token-'));
    const signing = makeTestCa(join(dir));
    tokens = await startTokenServer(dir, signing.ca, join(dir, 'ca.key'), 'berth-test-issuer');
    registry = await startDockerRegistry(join(dir, 'registry'), { token: { realm: tokens.realm, service: 'berth-test', issuer: 'berth-test-issuer', rootCertBundle: signing.ca } });
    host = registry.hostPort;
    daemon = await TestDaemon.start();
    assert.equal(daemon.docker(['import', await busyboxRootfs(), `${host}/private/bb:1`]).code, 0);
    assert.equal(daemon.docker(['tag', `${host}/private/bb:1`, `${host}/public/bb:1`]).code, 0);
  });
  after(async () => {
    await daemon?.stop();
    await registry?.server.stop();
    await tokens?.server.stop();
    await removeDir(dir);
  });

  it('refuses a wrong password with the token server\'s reason', () => {
    const wrong = daemon.docker(['login', '-u', USER, '--password-stdin', host], 'nope\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /incorrect username or password/);
  });

  it('logs in for a refresh token and pushes with it', async () => {
    const login = daemon.docker(['login', '-u', USER, '--password-stdin', host], `${PASSWORD}\n`);
    assert.equal(login.code, 0, login.stderr);
    const config = JSON.parse(await readFile(join(daemon.dir, 'docker-config', 'config.json'), 'utf8'));
    assert.equal(config.auths[host].identitytoken, `refresh-${USER}`);
    for (const repo of ['private/bb', 'public/bb']) {
      const pushed = daemon.docker(['push', `${host}/${repo}:1`]);
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    await settle();
    const requests = tokens.requests();
    assert.ok(requests.some((r) => r.startsWith('GET /token') && r.includes('offline_token=true') && r.endsWith('auth=Basic')), requests.join('\n'));
    assert.ok(requests.some((r) => r.startsWith('POST /token')), 'the refresh token was used');
  });

  it('pulls public images anonymously and refuses private ones', async () => {
    assert.equal(daemon.docker(['logout', host]).code, 0);
    assert.equal(daemon.docker(['rmi', `${host}/private/bb:1`, `${host}/public/bb:1`]).code, 0);
    const pub = daemon.docker(['pull', `${host}/public/bb:1`]);
    assert.equal(pub.code, 0, pub.stderr);
    await settle();
    assert.ok(tokens.requests().some((r) => r.includes('scope=repository%3Apublic%2Fbb%3Apull') && r.endsWith('auth=none')));
    const priv = daemon.docker(['pull', `${host}/private/bb:1`]);
    assert.equal(priv.code, 1);
    assert.match(priv.stderr, /unauthorized|denied/);
  });

  it('pulls private images with berth login credentials', () => {
    const env = { BERTH_CONFIG: join(dir, 'berth-config'), DOCKER_CONFIG: join(dir, 'none') };
    assert.equal(berthWith(daemon, env, ['login', '-u', USER, '--password-stdin', host], `${PASSWORD}\n`).code, 0);
    const pulled = berthWith(daemon, env, ['pull', `${host}/private/bb:1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
  });
});

describe('TLS, certs.d and insecure registries (distribution 2.8 on ::1)', { skip: dockerRegistrySkipReason() }, () => {
  let dir: string;
  let tls: { server: ChildServer; hostPort: string };
  let plain: { server: ChildServer; hostPort: string };
  const daemons: TestDaemon[] = [];

  /** A daemon whose registry client reads CAs from `certsDir` (--registry-certs-dir). */
  async function daemonWith(daemonJson: Record<string, unknown>, certsDir: string): Promise<TestDaemon> {
    const daemon = await TestDaemon.start(['--registry-certs-dir', certsDir], daemonJson);
    daemons.push(daemon);
    assert.equal(daemon.docker(['import', await busyboxRootfs(), 'bb:local']).code, 0);
    return daemon;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-dist-tls-'));
    const certs = makeTestCa(dir);
    tls = await startDockerRegistry(join(dir, 'tls'), { host: '::1', tls: { cert: certs.cert, key: certs.key } });
    plain = await startDockerRegistry(join(dir, 'plain'), { host: '::1' });
    await mkdir(join(dir, 'certs.d', tls.hostPort), { recursive: true });
    await copyFile(certs.ca, join(dir, 'certs.d', tls.hostPort, 'ca.crt'));
    await mkdir(join(dir, 'empty-certs.d'));
  });
  after(async () => {
    for (const daemon of daemons) await daemon.stop();
    await tls?.server.stop();
    await plain?.server.stop();
    await removeDir(dir);
  });

  it('verifies the registry with the CA from certs.d', async () => {
    const daemon = await daemonWith({}, join(dir, 'certs.d'));
    assert.equal(daemon.docker(['tag', 'bb:local', `${tls.hostPort}/bb:tls`]).code, 0);
    const pushed = daemon.docker(['push', `${tls.hostPort}/bb:tls`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(daemon.docker(['rmi', `${tls.hostPort}/bb:tls`]).code, 0);
    const pulled = daemon.berth(['pull', `${tls.hostPort}/bb:tls`]);
    assert.equal(pulled.code, 0, pulled.stderr);
  });

  it('refuses an unknown CA unless the registry is listed as insecure', async () => {
    const strict = await daemonWith({}, join(dir, 'empty-certs.d'));
    const refused = strict.docker(['pull', `${tls.hostPort}/bb:tls`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /x509: certificate signed by unknown authority/);
    const insecure = await daemonWith({ 'insecure-registries': [tls.hostPort] }, join(dir, 'empty-certs.d'));
    const pulled = insecure.docker(['pull', `${tls.hostPort}/bb:tls`]);
    assert.equal(pulled.code, 0, pulled.stderr);
  });

  it('speaks plain HTTP only to registries listed as insecure (by CIDR here)', async () => {
    const strict = daemons[0]!;
    assert.equal(strict.docker(['tag', 'bb:local', `${plain.hostPort}/bb:plain`]).code, 0);
    const refused = strict.docker(['push', `${plain.hostPort}/bb:plain`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /server gave HTTP response to HTTPS client/);
    const insecure = await daemonWith({ 'insecure-registries': ['::1/128'] }, join(dir, 'empty-certs.d'));
    assert.equal(insecure.docker(['tag', 'bb:local', `${plain.hostPort}/bb:plain`]).code, 0);
    const pushed = insecure.docker(['push', `${plain.hostPort}/bb:plain`]);
    assert.equal(pushed.code, 0, pushed.stderr);
  });
});

describe('registry-mirrors', () => {
  let good: TestRegistry;
  let daemon: TestDaemon;

  before(async () => {
    good = await TestRegistry.start();
    await pushRawImage(good, 'library/mirrored', '1', [await tarOf({ 'etc/mirrored': 'from the mirror\n' })]);
    // The first mirror answers nothing: the pull falls back to the next one.
    daemon = await TestDaemon.start([], { 'registry-mirrors': ['http://127.0.0.1:1', good.url], 'max-concurrent-downloads': 1 });
  });
  after(async () => {
    await daemon?.stop();
    await good?.stop();
  });

  it('pulls Docker Hub images from the first mirror that answers', async () => {
    const pulled = daemon.docker(['pull', 'mirrored:1']);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /Status: Downloaded newer image for mirrored:1/);
    assert.match(pulled.stdout, /docker.io\/library\/mirrored:1/);
    await settle();
    assert.match(good.log(), /GET \/v2\/library\/mirrored\/manifests\/1/);
  });

  it('shows the mirrors and insecure registries in docker info', () => {
    const info = daemon.docker(['info']);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /Insecure Registries:\n\s+127\.0\.0\.0\/8/);
    assert.match(info.stdout, new RegExp(`Registry Mirrors:\\n\\s+http://127\\.0\\.0\\.1:1/\\n\\s+${good.url.replaceAll('.', '\\.')}/`));
  });

  it('refuses a bad daemon.json value by name', async () => {
    const bad = await TestDaemon.start([], { 'max-concurrent-downloads': 0 }).then((d) => d.stop().then(() => 'started'), (err: Error) => err.message);
    assert.match(bad, /invalid max concurrent downloads: 0/);
  });
});
