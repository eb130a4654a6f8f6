/**
 * Real clients against `berth registry serve`: skopeo (both directions
 * between an OCI layout and the registry, inspect, list-tags, delete, with
 * and without credentials) and the docker CLI through a private dockerd
 * (push, pull, login with htpasswd, search), plus curl on the catalog.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, run } from './harness.js';
import { makeBusyboxOciLayout, makeLoopbackCertificate, TestRegistry } from './registry-harness.js';

const SKOPEO = '/usr/bin/skopeo';
const USER = 'alice';
const PASSWORD = 'correct horse battery staple';

/** An htpasswd file made with the real htpasswd -B when it is installed (as the seed notes do), bcryptjs otherwise. */
async function writeHtpasswd(path: string): Promise<void> {
  const made = run('htpasswd', ['-Bbn', USER, PASSWORD]);
  const line = made.code === 0 ? made.stdout.trim() : `${USER}:${bcrypt.hashSync(PASSWORD, 5)}`;
  await writeFile(path, `${line}\n`);
}

function skopeo(args: string[]) {
  return run(SKOPEO, ['--insecure-policy', ...args]);
}

describe('registry with skopeo', { skip: existsSync(SKOPEO) ? false : 'skopeo not installed (apt-get install skopeo)' }, () => {
  let dir: string;
  let open: TestRegistry;
  let locked: TestRegistry;
  let layout: { manifestDigest: string; layerDigest: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-skopeo-'));
    layout = await makeBusyboxOciLayout(join(dir, 'src'));
    await writeHtpasswd(join(dir, 'htpasswd'));
    open = await TestRegistry.start(['--delete-enabled']);
    locked = await TestRegistry.start(['--htpasswd', join(dir, 'htpasswd'), '--delete-enabled']);
  });
  after(async () => {
    await open?.stop();
    await locked?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('copies an OCI layout into the registry and back, byte for byte', async () => {
    const push = skopeo(['copy', '--dest-tls-verify=false', `oci:${join(dir, 'src')}:latest`, `docker://${open.hostPort}/ns/busybox:1.0`]);
    assert.equal(push.code, 0, push.stderr);
    const pull = skopeo(['copy', '--src-tls-verify=false', `docker://${open.hostPort}/ns/busybox:1.0`, `oci:${join(dir, 'back')}:copy`]);
    assert.equal(pull.code, 0, pull.stderr);
    const index = JSON.parse(await readFile(join(dir, 'back', 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].digest, layout.manifestDigest);
    const layer = await readFile(join(dir, 'back', 'blobs', 'sha256', layout.layerDigest.slice(7)));
    assert.deepEqual(layer, await readFile(join(dir, 'src', 'blobs', 'sha256', layout.layerDigest.slice(7))));
  });

  it('copies a multi-platform OCI index with --all', async () => {
    const push = skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${join(dir, 'src')}:multi`, `docker://${open.hostPort}/ns/multi:1`]);
    assert.equal(push.code, 0, push.stderr);
    const raw = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${open.hostPort}/ns/multi:1`]);
    assert.equal(raw.code, 0, raw.stderr);
    const index = JSON.parse(raw.stdout);
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(index.manifests[0].digest, layout.manifestDigest);
    const pull = skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${open.hostPort}/ns/multi:1`, `oci:${join(dir, 'multi-back')}:multi`]);
    assert.equal(pull.code, 0, pull.stderr);
  });

  it('inspects, lists tags and deletes', async () => {
    const inspect = skopeo(['inspect', '--tls-verify=false', `docker://${open.hostPort}/ns/busybox:1.0`]);
    assert.equal(inspect.code, 0, inspect.stderr);
    const info = JSON.parse(inspect.stdout);
    assert.equal(info.Digest, layout.manifestDigest);
    assert.deepEqual(info.Layers, [layout.layerDigest]);
    assert.equal(info.Architecture, 'amd64');
    const tags = skopeo(['list-tags', '--tls-verify=false', `docker://${open.hostPort}/ns/busybox`]);
    assert.deepEqual(JSON.parse(tags.stdout).Tags, ['1.0']);
    const del = skopeo(['delete', '--tls-verify=false', `docker://${open.hostPort}/ns/busybox:1.0`]);
    assert.equal(del.code, 0, del.stderr);
    const gone = skopeo(['inspect', '--tls-verify=false', `docker://${open.hostPort}/ns/busybox:1.0`]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /manifest unknown/);
  });

  it('pushes over TLS, verifying the registry\'s certificate', async () => {
    const tlsDir = join(dir, 'tls');
    await mkdir(join(tlsDir, 'certs'), { recursive: true });
    const { cert, key } = makeLoopbackCertificate(tlsDir);
    await copyFile(cert, join(tlsDir, 'certs', 'ca.crt'));
    const secure = await TestRegistry.start(['--tls-cert', cert, '--tls-key', key, '--htpasswd', join(dir, 'htpasswd')]);
    try {
      const dest = `docker://${secure.hostPort}/tls/busybox:v1`;
      const untrusted = skopeo(['copy', '--dest-creds', `${USER}:${PASSWORD}`, `oci:${join(dir, 'src')}:latest`, dest]);
      assert.notEqual(untrusted.code, 0);
      assert.match(untrusted.stderr, /certificate/);
      const push = skopeo(['copy', '--dest-cert-dir', join(tlsDir, 'certs'), '--dest-creds', `${USER}:${PASSWORD}`, `oci:${join(dir, 'src')}:latest`, dest]);
      assert.equal(push.code, 0, push.stderr);
      const inspect = skopeo(['inspect', '--cert-dir', join(tlsDir, 'certs'), '--creds', `${USER}:${PASSWORD}`, dest]);
      assert.equal(JSON.parse(inspect.stdout).Digest, layout.manifestDigest);
    } finally {
      await secure.stop();
    }
  });

  it('needs the right credentials when htpasswd auth is on', async () => {
    const dest = `docker://${locked.hostPort}/team/busybox:v1`;
    const anonymous = skopeo(['copy', '--dest-tls-verify=false', `oci:${join(dir, 'src')}:latest`, dest]);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /authentication required|unauthorized/i);
    const wrong = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:nope`, `oci:${join(dir, 'src')}:latest`, dest]);
    assert.notEqual(wrong.code, 0);
    const right = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, `oci:${join(dir, 'src')}:latest`, dest]);
    assert.equal(right.code, 0, right.stderr);
    const back = skopeo(['copy', '--src-tls-verify=false', '--src-creds', `${USER}:${PASSWORD}`, dest, `oci:${join(dir, 'locked-back')}:v1`]);
    assert.equal(back.code, 0, back.stderr);
    const tags = skopeo(['list-tags', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, `docker://${locked.hostPort}/team/busybox`]);
    assert.deepEqual(JSON.parse(tags.stdout).Tags, ['v1']);
  });
});

describe('registry with the docker CLI and dockerd', { skip: dockerdSkipReason() ?? false }, () => {
  let dir: string;
  let dockerd: ReferenceDockerd;
  let open: TestRegistry;
  let locked: TestRegistry;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-docker-registry-'));
    await writeHtpasswd(join(dir, 'htpasswd'));
    open = await TestRegistry.start();
    locked = await TestRegistry.start(['--htpasswd', join(dir, 'htpasswd'), '--realm', 'berth test']);
    dockerd = await ReferenceDockerd.start();
    const imported = dockerd.docker(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await dockerd?.stop();
    await open?.stop();
    await locked?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pushes and pulls by host:port/name:tag (127.0.0.1 is an insecure registry by default)', async () => {
    const ref = `${open.hostPort}/ns/busybox:1.0`;
    assert.equal(dockerd.docker(['tag', 'busybox:latest', ref]).code, 0);
    const id = dockerd.docker(['image', 'inspect', '-f', '{{.Id}}', ref]).stdout.trim();
    const push = dockerd.docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /1\.0: digest: sha256:[0-9a-f]{64} size: \d+/);
    assert.equal(dockerd.docker(['rmi', ref]).code, 0);
    const pull = dockerd.docker(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    assert.equal(dockerd.docker(['image', 'inspect', '-f', '{{.Id}}', ref]).stdout.trim(), id);
    const unknown = dockerd.docker(['pull', `${open.hostPort}/ns/busybox:nope`]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /manifest unknown/);
  });

  it('takes a manifest list made by docker manifest, and dockerd pulls through it and by digest', async () => {
    const list = `${open.hostPort}/ns/multi:1`;
    const create = dockerd.docker(['manifest', 'create', '--insecure', list, `${open.hostPort}/ns/busybox:1.0`]);
    assert.equal(create.code, 0, create.stderr);
    const push = dockerd.docker(['manifest', 'push', '--insecure', list]);
    assert.equal(push.code, 0, push.stderr);
    const listDigest = push.stdout.trim().split('\n').pop()!;
    assert.match(listDigest, /^sha256:[0-9a-f]{64}$/);
    const raw = await open.request('GET', '/v2/ns/multi/manifests/1', { headers: { Accept: 'application/vnd.docker.distribution.manifest.list.v2+json' } });
    assert.equal(raw.headers['content-type'], 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.equal(raw.headers['docker-content-digest'], listDigest);
    const id = dockerd.docker(['image', 'inspect', '-f', '{{.Id}}', `${open.hostPort}/ns/busybox:1.0`]).stdout.trim();
    const pull = dockerd.docker(['pull', list]);
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    assert.equal(dockerd.docker(['image', 'inspect', '-f', '{{.Id}}', list]).stdout.trim(), id);
    const byDigest = dockerd.docker(['pull', `${open.hostPort}/ns/multi@${listDigest}`]);
    assert.equal(byDigest.code, 0, byDigest.stderr + byDigest.stdout);
    assert.match(byDigest.stdout, new RegExp(`Digest: ${listDigest}`));
  });

  it('shows the repositories in /v2/_catalog (curl) and in docker search', async () => {
    const curl = run('curl', ['-sf', `${open.url}/v2/_catalog`]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.deepEqual(JSON.parse(curl.stdout), { repositories: ['ns/busybox', 'ns/multi'] });
    const search = dockerd.docker(['search', `${open.hostPort}/busy`]);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /^NAME\s+DESCRIPTION\s+STARS/);
    assert.match(search.stdout, /\nns\/busybox\s/);
    assert.doesNotMatch(search.stdout, /ns\/multi/);
    const none = dockerd.docker(['search', `${open.hostPort}/nothing-like-this`]);
    assert.equal(none.stdout.trim().split('\n').length, 1, none.stdout);
  });

  it('logs in with htpasswd credentials, pushes, pulls and searches; refuses bad ones', async () => {
    const ref = `${locked.hostPort}/team/busybox:v1`;
    assert.equal(dockerd.docker(['tag', 'busybox:latest', ref]).code, 0);
    const anonymous = dockerd.docker(['push', ref]);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr + anonymous.stdout, /no basic auth credentials|unauthorized|authentication required/);
    const bad = dockerd.docker(['login', '-u', USER, '--password-stdin', locked.hostPort], 'wrong password\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /401 Unauthorized|unauthorized/i);
    const good = dockerd.docker(['login', '-u', USER, '--password-stdin', locked.hostPort], `${PASSWORD}\n`);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Login Succeeded/);
    const push = dockerd.docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(dockerd.docker(['rmi', ref]).code, 0);
    assert.equal(dockerd.docker(['pull', ref]).code, 0);
    const search = dockerd.docker(['search', `${locked.hostPort}/busy`]);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /\nteam\/busybox\s/, 'search with the stored credentials');
    assert.equal(dockerd.docker(['logout', locked.hostPort]).code, 0);
    const loggedOut = dockerd.docker(['pull', `${locked.hostPort}/team/busybox:v1`]);
    assert.notEqual(loggedOut.code, 0);
  });

  it('logs in and pushes over TLS (dockerd speaks HTTPS to an insecure loopback registry first)', async () => {
    const { cert, key } = makeLoopbackCertificate(dir);
    const secure = await TestRegistry.start(['--tls-cert', cert, '--tls-key', key, '--htpasswd', join(dir, 'htpasswd')]);
    try {
      const ref = `${secure.hostPort}/tls/busybox:v1`;
      assert.equal(dockerd.docker(['tag', 'busybox:latest', ref]).code, 0);
      const login = dockerd.docker(['login', '-u', USER, '--password-stdin', secure.hostPort], `${PASSWORD}\n`);
      assert.equal(login.code, 0, login.stderr);
      const push = dockerd.docker(['push', ref]);
      assert.equal(push.code, 0, push.stderr + push.stdout);
      const manifestPut = /"PUT \/v2\/tls\/busybox\/manifests\/v1 HTTP\/1.1" 201/;
      assert.match(await secure.waitForLog(manifestPut), manifestPut);
    } finally {
      await secure.stop();
    }
  });
});
